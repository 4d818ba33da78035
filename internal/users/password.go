package users

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/trustelem/zxcvbn"
	"github.com/trustelem/zxcvbn/frequency"
	"golang.org/x/crypto/argon2"
)

// argon2id parameters: the OWASP recommendation for argon2id (19 MiB, 2
// passes, 1 lane) — slow enough to make guessing expensive, fast enough
// (~30 ms here) for a login page on 2 cores.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
	saltLen      = 16
)

// MinPasswordLength follows NCSC guidance: length over complexity rules.
const MinPasswordLength = 12

// HashPassword returns an argon2id hash in the PHC string format.
func HashPassword(password string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// CheckPassword reports whether password matches the PHC-format hash.
func CheckPassword(hash, password string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errors.New("unrecognised password hash format")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errors.New("unsupported argon2 version")
	}
	var memory, time uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &time, &threads); err != nil {
		return false, fmt.Errorf("bad argon2 parameters: %w", err)
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false, fmt.Errorf("bad argon2 salt: %w", err)
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil {
		return false, fmt.Errorf("bad argon2 key: %w", err)
	}
	got := argon2.IDKey([]byte(password), salt, time, memory, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// dummyHash is checked against when no user has the e-mail address, so a
// failed login takes as long whether or not the address exists.
var dummyHash, _ = HashPassword("no user has this password")

// GeneratePassword returns a random one-time password of 16 readable characters.
func GeneratePassword() string {
	const alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b[:4]) + "-" + string(b[4:8]) + "-" + string(b[8:12]) + "-" + string(b[12:])
}

// guessable says why a password would fall early to a guessing attack, or
// "" if it would not. It uses zxcvbn (github.com/trustelem/zxcvbn, a port
// of Dropbox's estimator), whose lists of 30,000 common and breached
// passwords, names and words ship inside the binary: nothing is fetched at
// run time. A password estimated to fall within 10^8 guesses is refused:
// the common and breached ones, repeats (twelve spaces, "aaaaaaaaaaaa"),
// keyboard runs, "password1234" and the user's own address or name. This
// is a deny-list, as the NCSC advises, not a composition rule: any long
// passphrase passes.
func guessable(p string, userInputs []string) string {
	if _, common := commonPasswords[strings.ToLower(strings.TrimSpace(p))]; common {
		return "This password is in lists of common or breached passwords: choose another, such as three or four random words"
	}
	for _, in := range userInputs {
		in = strings.ToLower(strings.TrimSpace(in))
		local, _, isEmail := strings.Cut(in, "@")
		if isEmail && len(local) >= 4 && strings.Contains(strings.ToLower(p), local) {
			return "Your password must not contain your e-mail address"
		}
	}
	// zxcvbn's cost grows with length; the first 64 characters decide.
	check := p
	if r := []rune(check); len(r) > 64 {
		check = string(r[:64])
	}
	if zxcvbn.PasswordStrength(check, userInputs).Guesses < 1e8 {
		return "This password would be easy to guess (a common password, a word with numbers, a repeat or a keyboard pattern): choose a longer one, such as three or four random words"
	}
	return ""
}

// commonPasswords is zxcvbn's list of common and breached passwords.
var commonPasswords = func() map[string]struct{} {
	list := frequency.FrequencyLists["passwords"]
	m := make(map[string]struct{}, len(list))
	for _, p := range list {
		m[p] = struct{}{}
	}
	return m
}()
