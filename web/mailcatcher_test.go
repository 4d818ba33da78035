package web

import (
	"bufio"
	"io"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/textproto"
	"strings"
	"sync"
	"testing"
)

// mailCatcher is a local SMTP server that keeps what it is sent, like the
// development mail catcher (Mailpit) and internal/mail's test server: the
// outbox delivers to it over real SMTP, and tests read the messages as a
// mail program would.
type mailCatcher struct {
	ln   net.Listener
	mu   sync.Mutex
	msgs []*caughtMail
}

// caughtMail is one message as received: its headers and decoded body,
// and the whole message as sent (a multipart one's parts are read from it).
type caughtMail struct {
	Header mail.Header
	Body   string
	Raw    []byte
}

func newMailCatcher(t *testing.T) *mailCatcher {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c := &mailCatcher{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go c.serve(conn)
		}
	}()
	return c
}

func (c *mailCatcher) port() int { return c.ln.Addr().(*net.TCPAddr).Port }

func (c *mailCatcher) serve(conn net.Conn) {
	defer conn.Close()
	r := textproto.NewReader(bufio.NewReader(conn))
	reply := func(line string) { _, _ = conn.Write([]byte(line + "\r\n")) }
	reply("220 catcher.test ESMTP")
	for {
		line, err := r.ReadLine()
		if err != nil {
			return
		}
		switch strings.ToUpper(strings.SplitN(line, " ", 2)[0]) {
		case "EHLO":
			reply("250-catcher.test")
			reply("250 8BITMIME")
		case "DATA":
			reply("354 End data with <CR><LF>.<CR><LF>")
			data, err := r.ReadDotBytes()
			if err != nil {
				return
			}
			if m, err := mail.ReadMessage(strings.NewReader(string(data))); err == nil {
				body, _ := io.ReadAll(quotedprintable.NewReader(m.Body))
				c.mu.Lock()
				c.msgs = append(c.msgs, &caughtMail{Header: m.Header, Body: string(body), Raw: data})
				c.mu.Unlock()
			}
			reply("250 OK")
		case "QUIT":
			reply("221 Bye")
			return
		default:
			reply("250 OK")
		}
	}
}

// caught returns the messages received so far.
func (c *mailCatcher) caught() []*caughtMail {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]*caughtMail(nil), c.msgs...)
}
