package mail_test

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/s106monitor/s106/internal/mail"
	"github.com/s106monitor/s106/internal/testdb"
)

// testCert borrows httptest's certificate (valid for 127.0.0.1) for the
// test SMTP server, and returns the client config that trusts it.
func testCert(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	h := httptest.NewTLSServer(http.NotFoundHandler())
	t.Cleanup(h.Close)
	pool := x509.NewCertPool()
	pool.AddCert(h.Certificate())
	return &tls.Config{Certificates: h.TLS.Certificates}, &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}
}

// With STARTTLS or implicit TLS, the message is sent encrypted and the
// password only ever travels over TLS.
func TestSenderUsesTLSAndAuthenticates(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{mail.TLSStartTLS, mail.TLSImplicit} {
		t.Run(mode, func(t *testing.T) {
			db := testdb.New(t)
			serverTLS, clientTLS := testCert(t)
			srv := newTLSSMTPServer(t, serverTLS, mode == mail.TLSImplicit)
			o := &mail.Outbox{DB: db, Logger: quiet, Sender: mail.Sender{Host: "127.0.0.1", Port: srv.port(), TLS: mode,
				User: "s106", Password: "secret", From: from, Timeout: 10 * time.Second, TLSConfig: clientTLS}}
			enqueue(t, db, msg(1))
			if res := deliver(t, o, t0); res != (mail.Result{Sent: 1}) {
				t.Fatalf("%s: %+v (%s)", mode, res, outboxRow(t, db, msg(1).Key).lastError)
			}
			if n := len(srv.messages()); n != 1 {
				t.Fatalf("server received %d messages", n)
			}
			srv.mu.Lock()
			auth, overTLS := srv.auth, srv.authOverTLS
			srv.mu.Unlock()
			cred, _ := base64.StdEncoding.DecodeString(auth)
			if string(cred) != "\x00s106\x00secret" || !overTLS {
				t.Fatalf("AUTH %q, over TLS %v", cred, overTLS)
			}
		})
	}
}

// STARTTLS required but not offered: nothing is sent in the clear.
func TestSenderRefusesToSendInTheClearWhenStartTLSIsRequired(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	srv := newSMTPServer(t)
	o := outbox(db, srv)
	o.Sender.TLS = mail.TLSStartTLS
	enqueue(t, db, msg(1))
	if res := deliver(t, o, t0); res != (mail.Result{Retrying: 1}) {
		t.Fatalf("%+v", res)
	}
	if r := outboxRow(t, db, msg(1).Key); !strings.Contains(r.lastError, "does not offer STARTTLS") {
		t.Fatalf("last error %q", r.lastError)
	}
	if n := len(srv.messages()); n != 0 {
		t.Fatalf("sent %d messages in the clear", n)
	}
}
