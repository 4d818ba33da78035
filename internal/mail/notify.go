package mail

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// NotifyBaseURL is GOV.UK Notify's API.
const NotifyBaseURL = "https://api.notifications.service.gov.uk"

// Notify sends e-mail through GOV.UK Notify's API instead of SMTP: POST
// /v2/notifications/email with a template and its personalisation,
// authenticated by a JSON Web Token signed with the service's API key.
//
// Notify sends only templates. The council makes an e-mail template in
// Notify whose subject is ((subject)) and whose body is ((body)), and
// sets its id (S106_NOTIFY_TEMPLATE_ID); each message fills both. A kind
// of message (the part of its idempotency key before the first colon:
// "alert", "digest", ...) may have a template of its own
// (S106_NOTIFY_TEMPLATES=alert=<id>,digest=<id>).
//
// A message with attachments (a letter e-mailed with its PDF, kind
// "letter") sends each file with Notify's "send a file by email": Notify
// keeps the file and the e-mail carries a link to download it. The
// template must then contain the placeholder for each link, so the
// council makes a second template, for letters, with subject ((subject))
// and body
//
//	((body))
//
//	Download the letter: ((link_to_file))
//
// (((link_to_file_2)) and so on for a second and further file), asks
// Notify to turn on "Send files by email" for the service, and sets
// S106_NOTIFY_TEMPLATES=letter=<that template's id>. See notifyFiles.
type Notify struct {
	// APIKey is the key from Notify's "API integration" page:
	// {key name}-{service id}-{secret key}, the ids being UUIDs.
	APIKey string
	// TemplateID is the default template; Templates override it by kind.
	TemplateID string
	Templates  map[string]string
	// ReplyToID, if set, is the reply-to address's id in Notify.
	ReplyToID string
	// BaseURL is NotifyBaseURL, or a stand-in in tests.
	BaseURL string
	HTTP    *http.Client
	// Timeout bounds one request (S106_MAIL_TIMEOUT).
	Timeout time.Duration
	// Now is the clock for the token's iat; tests move it.
	Now func() time.Time
	// FileRetention is how long Notify keeps a sent file available to
	// download ("1 week" to "78 weeks"; default "26 weeks", Notify's own).
	FileRetention string
	// FileNoEmailCheck turns off Notify's check that whoever downloads a
	// file knows the recipient's address (on by default, as in Notify).
	FileNoEmailCheck bool
}

// NotifyMaxFileBytes is the largest file Notify accepts for "send a file
// by email" (2 MB).
const NotifyMaxFileBytes = 2 << 20

// NotifyFilePlaceholder is the template placeholder of a message's i-th
// file (from 0): link_to_file, then link_to_file_2, link_to_file_3 …
func NotifyFilePlaceholder(i int) string {
	if i == 0 {
		return "link_to_file"
	}
	return "link_to_file_" + strconv.Itoa(i+1)
}

// notifyFiles adds m's attachments to the personalisation as Notify's
// "send a file by email" asks: the placeholder's value is an object, not
// a string. In the words of Notify's API documentation (POST
// /v2/notifications/email, personalisation): "For file uploads, provide
// an object with: file: Base64 encoded file content (required) ...
// filename: Custom filename to display (optional ...)
// confirm_email_before_download: Boolean to require email confirmation
// before download (optional, default: true) retention_period: String
// specifying how long to retain the file, e.g., “26 weeks” (optional,
// default: “26 weeks”)". That is:
//
//	"personalisation": {
//	  "link_to_file": {
//	    "file": "JVBERi0xLjMK…",
//	    "filename": "invoice-2026-03-02.pdf",
//	    "confirm_email_before_download": true,
//	    "retention_period": "26 weeks"
//	  }
//	}
//
// Notify's client libraries refuse a file over 2 MB (prepare_upload), as
// this does: a permanent failure, since sending again cannot help.
func (n *Notify) notifyFiles(personalisation map[string]any, m Message) error {
	retention := n.FileRetention
	if retention == "" {
		retention = "26 weeks"
	}
	for i, a := range m.Attachments {
		if len(a.Content) > NotifyMaxFileBytes {
			return &sendError{err: fmt.Errorf("GOV.UK Notify: %s is larger than 2 MB, the most Notify sends by email", a.FileName), permanent: true}
		}
		personalisation[NotifyFilePlaceholder(i)] = map[string]any{
			"file":                          base64.StdEncoding.EncodeToString(a.Content),
			"filename":                      oneLine(a.FileName),
			"confirm_email_before_download": !n.FileNoEmailCheck,
			"retention_period":              retention,
		}
	}
	return nil
}

// Configured reports whether a key and a template are set.
func (n *Notify) Configured() bool { return n != nil && n.APIKey != "" && n.TemplateID != "" }

var uuidRe = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// ParseNotifyKey splits an API key into the service id (the token's
// issuer) and the secret that signs it. Notify's keys end with the two
// UUIDs, 36 characters each, joined by hyphens to the key's name.
func ParseNotifyKey(key string) (serviceID, secret string, err error) {
	key = strings.TrimSpace(key)
	if len(key) < 74 || key[len(key)-37] != '-' {
		return "", "", errors.New("a GOV.UK Notify API key is its name, the service ID and the secret key joined by hyphens")
	}
	serviceID, secret = key[len(key)-73:len(key)-37], key[len(key)-36:]
	if !uuidRe.MatchString(serviceID) || !uuidRe.MatchString(secret) {
		return "", "", errors.New("a GOV.UK Notify API key ends with the service ID and the secret key, each a UUID")
	}
	return serviceID, secret, nil
}

// NotifyToken is the bearer token for one request: a JWT with header
// {"typ":"JWT","alg":"HS256"} and claims {"iss": service id, "iat": now in
// seconds}, signed with HMAC-SHA256 under the secret key. Notify refuses a
// token issued more than 30 seconds from its own clock.
func NotifyToken(serviceID, secret string, now time.Time) string {
	enc := base64.RawURLEncoding
	header := enc.EncodeToString([]byte(`{"typ":"JWT","alg":"HS256"}`))
	claims := enc.EncodeToString([]byte(`{"iss":"` + serviceID + `","iat":` + strconv.FormatInt(now.Unix(), 10) + `}`))
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(header + "." + claims))
	return header + "." + claims + "." + enc.EncodeToString(mac.Sum(nil))
}

func (n *Notify) base() string {
	if n.BaseURL != "" {
		return strings.TrimRight(n.BaseURL, "/")
	}
	return NotifyBaseURL
}

func (n *Notify) now() time.Time {
	if n.Now != nil {
		return n.Now()
	}
	return time.Now()
}

func (n *Notify) client() *http.Client {
	if n.HTTP != nil {
		return n.HTTP
	}
	t := n.Timeout
	if t <= 0 {
		t = 30 * time.Second
	}
	return &http.Client{Timeout: t}
}

// templateFor is the template for a message: its kind's, or the default.
func (n *Notify) templateFor(m Message) string {
	kind, _, _ := strings.Cut(m.Key, ":")
	if id := n.Templates[kind]; id != "" {
		return id
	}
	return n.TemplateID
}

// NotifyReference is the reference sent with a message: derived from its
// idempotency key, so the message can be found in Notify (and a message
// an admin retries after an unknown outcome checked there first).
func NotifyReference(key string) string {
	sum := sha256.Sum256([]byte(key))
	return "s106-" + hex.EncodeToString(sum[:12])
}

// notifyError is an error response: {"status_code": 400, "errors":
// [{"error": "BadRequestError", "message": "..."}]}.
type notifyError struct {
	StatusCode int `json:"status_code"`
	Errors     []struct {
		Error   string `json:"error"`
		Message string `json:"message"`
	} `json:"errors"`
}

func (e notifyError) String() string {
	var parts []string
	for _, x := range e.Errors {
		parts = append(parts, x.Error+": "+x.Message)
	}
	return strings.Join(parts, "; ")
}

// Receipt is what a channel says about a message it accepted.
type Receipt struct {
	Channel  string // "smtp" or "notify"
	NotifyID string // Notify's notification id
	Status   string // Notify's status ("created" when just accepted)
}

// Send posts one message to Notify. Like Sender.Send, a failure is a
// *sendError: permanent for a request Notify rejects (400: a bad address,
// template or personalisation), retried after a back-off for rate limits
// (429), Notify's own errors (5xx) and a refused key (403: the admin may
// fix it), and of unknown outcome when the request was written but no
// answer came (it may have been accepted; not sent again automatically).
func (n *Notify) Send(ctx context.Context, m Message) (Receipt, error) {
	serviceID, secret, err := ParseNotifyKey(n.APIKey)
	if err != nil {
		return Receipt{}, &sendError{err: fmt.Errorf("GOV.UK Notify: %w", err), permanent: true}
	}
	personalisation := map[string]any{"subject": oneLine(m.Subject), "body": m.Body}
	if err := n.notifyFiles(personalisation, m); err != nil {
		return Receipt{}, err
	}
	payload := map[string]any{
		"email_address":   m.To,
		"template_id":     n.templateFor(m),
		"personalisation": personalisation,
		"reference":       NotifyReference(m.Key),
	}
	if n.ReplyToID != "" {
		payload["email_reply_to_id"] = n.ReplyToID
	}
	body, _ := json.Marshal(payload)
	var wrote bool
	trace := &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) { wrote = true }}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), http.MethodPost, n.base()+"/v2/notifications/email", bytes.NewReader(body))
	if err != nil {
		return Receipt{}, &sendError{err: err, permanent: true}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+NotifyToken(serviceID, secret, n.now()))
	req.Header.Set("User-Agent", "s106-monitor")
	res, err := n.client().Do(req)
	if err != nil {
		// Not written: certainly not sent, try again later. Written with
		// no answer: Notify may have accepted it.
		return Receipt{}, &sendError{err: fmt.Errorf("GOV.UK Notify: %w", err), uncertain: wrote}
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil && res.StatusCode == http.StatusCreated {
		return Receipt{}, &sendError{err: fmt.Errorf("GOV.UK Notify: read the answer: %w", err), uncertain: true}
	}
	if res.StatusCode == http.StatusCreated {
		var ok struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(data, &ok); err != nil || !uuidRe.MatchString(ok.ID) {
			// Accepted (201), but without an id we can record: sent, so
			// never again, with the answer kept for the admin.
			return Receipt{Channel: "notify", Status: "created"}, nil
		}
		return Receipt{Channel: "notify", NotifyID: ok.ID, Status: "created"}, nil
	}
	var ne notifyError
	_ = json.Unmarshal(data, &ne)
	detail := ne.String()
	if detail == "" {
		detail = strings.TrimSpace(string(data))
		if len(detail) > 200 {
			detail = detail[:200]
		}
	}
	e := &sendError{err: fmt.Errorf("GOV.UK Notify answered %d: %s", res.StatusCode, detail)}
	switch {
	case res.StatusCode == http.StatusTooManyRequests, res.StatusCode >= 500, res.StatusCode == http.StatusForbidden:
		// Retried after the outbox's back-off (1, 2, 4 … minutes).
	default:
		e.permanent = true
	}
	return Receipt{}, e
}

// Status asks Notify for a notification's delivery status:
// GET /v2/notifications/{id}.
func (n *Notify) Status(ctx context.Context, id string) (string, error) {
	serviceID, secret, err := ParseNotifyKey(n.APIKey)
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, n.base()+"/v2/notifications/"+id, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+NotifyToken(serviceID, secret, n.now()))
	req.Header.Set("User-Agent", "s106-monitor")
	res, err := n.client().Do(req)
	if err != nil {
		return "", fmt.Errorf("GOV.UK Notify status of %s: %w", id, err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if res.StatusCode != http.StatusOK {
		var ne notifyError
		_ = json.Unmarshal(data, &ne)
		return "", fmt.Errorf("GOV.UK Notify status of %s: answered %d: %s", id, res.StatusCode, ne.String())
	}
	var st struct {
		Status string `json:"status"`
	}
	if err := json.Unmarshal(data, &st); err != nil || st.Status == "" {
		return "", fmt.Errorf("GOV.UK Notify status of %s: no status in the answer", id)
	}
	return st.Status, nil
}

// NotifyFinal reports whether a Notify status will not change again.
func NotifyFinal(status string) bool {
	switch status {
	case "delivered", "permanent-failure", "temporary-failure", "technical-failure":
		return true
	}
	return false
}

// notifyFailureText explains a failed status to an admin, in Notify's
// own words for each.
func notifyFailureText(status string) string {
	switch status {
	case "permanent-failure":
		return "GOV.UK Notify could not deliver it (permanent-failure): the provider could not deliver the message because the e-mail address was wrong"
	case "temporary-failure":
		return "GOV.UK Notify could not deliver it (temporary-failure): the recipient's inbox was full or their anti-spam filter rejected it"
	case "technical-failure":
		return "GOV.UK Notify could not deliver it (technical-failure): a problem between Notify and the e-mail provider"
	}
	return ""
}

// notifyChecksPerRun bounds the statuses one delivery run asks for.
const notifyChecksPerRun = 50

// notifyRecheck is how long after a check a status that is not final is
// asked for again; notifyGiveUp is how long after sending it stops.
const (
	notifyRecheck = 5 * time.Minute
	notifyGiveUp  = 7 * 24 * time.Hour
)

// checkNotify asks Notify for the status of messages it accepted whose
// status is not final, and records it; one Notify could not deliver gets
// the reason as its last error, for the admin (it is not resent: the
// outbox sends at most once).
func (o *Outbox) checkNotify(ctx context.Context, now time.Time, res *Result) error {
	rows, err := o.DB.Pool.Query(ctx, `
		SELECT id, notify_id::text FROM mail_outbox
		WHERE notify_id IS NOT NULL AND notify_status IN ('created', 'sending', 'pending')
		  AND (notify_checked_at IS NULL OR notify_checked_at <= $1) AND sent_at >= $2
		ORDER BY notify_checked_at NULLS FIRST, id
		LIMIT $3`, now.Add(-notifyRecheck), now.Add(-notifyGiveUp), notifyChecksPerRun)
	if err != nil {
		return fmt.Errorf("mail: notify statuses: %w", err)
	}
	type pending struct {
		id       int64
		notifyID string
	}
	var list []pending
	for rows.Next() {
		var p pending
		if err := rows.Scan(&p.id, &p.notifyID); err != nil {
			rows.Close()
			return fmt.Errorf("mail: notify statuses: %w", err)
		}
		list = append(list, p)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("mail: notify statuses: %w", err)
	}
	for _, p := range list {
		status, err := o.Notify.Status(ctx, p.notifyID)
		if err != nil {
			// Asked again next time; a status is information, not delivery.
			o.logger().Warn("mail: notify status", "message", p.id, "err", err)
			if _, err := o.DB.Pool.Exec(ctx, `UPDATE mail_outbox SET notify_checked_at = $2 WHERE id = $1`, p.id, now); err != nil {
				return fmt.Errorf("mail: notify statuses: %w", err)
			}
			continue
		}
		res.Checked++
		failure := notifyFailureText(status)
		if failure != "" {
			res.Undelivered++
			o.logger().Warn("mail: GOV.UK Notify could not deliver", "message", p.id, "status", status)
		}
		if _, err := o.DB.Pool.Exec(ctx, `
			UPDATE mail_outbox SET notify_status = $2, notify_checked_at = $3,
				last_error = CASE WHEN $4 <> '' THEN $4 ELSE last_error END
			WHERE id = $1`, p.id, status, now, failure); err != nil {
			return fmt.Errorf("mail: notify statuses: %w", err)
		}
	}
	return nil
}
