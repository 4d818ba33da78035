package mail_test

import (
	"bufio"
	"crypto/tls"
	"io"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"
)

// Modes of the test SMTP server.
const (
	accept        = "accept"          // take every message
	refuse        = "refuse"          // 451 to MAIL FROM (a temporary outage)
	drop          = "drop"            // close the connection on MAIL FROM
	reject        = "reject"          // 550 to RCPT TO (a permanent refusal)
	dropAfterData = "drop-after-data" // read the whole message, then close without replying
	hang          = "hang"            // accept the connection and never say a word
	slow          = "slow"            // accept every message, 200 ms after its data
)

// smtpServer is a real, tiny SMTP server on a local port: it speaks
// enough of the protocol for net/smtp (EHLO/HELO, MAIL, RCPT, DATA, RSET,
// NOOP, QUIT) and can be told to refuse or drop.
type smtpServer struct {
	ln       net.Listener
	mu       sync.Mutex
	mode     string
	received []string // the DATA of each accepted message
	sessions int
	wg       sync.WaitGroup
	// tls, when set, offers STARTTLS (or, with implicit, speaks TLS from
	// the first byte); auth is the last AUTH PLAIN credential seen and
	// whether the connection was encrypted then.
	tls         *tls.Config
	implicit    bool
	auth        string
	authOverTLS bool
}

func newSMTPServer(t *testing.T) *smtpServer {
	return newTLSSMTPServer(t, nil, false)
}

// newTLSSMTPServer is the test server with TLS: STARTTLS, or implicit TLS.
func newTLSSMTPServer(t *testing.T, cfg *tls.Config, implicit bool) *smtpServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if implicit {
		ln = tls.NewListener(ln, cfg)
	}
	s := &smtpServer{ln: ln, mode: accept, tls: cfg, implicit: implicit}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				s.serve(conn)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		s.wg.Wait()
	})
	return s
}

func (s *smtpServer) port() int { return s.ln.Addr().(*net.TCPAddr).Port }

func (s *smtpServer) setMode(m string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mode = m
}

func (s *smtpServer) currentMode() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mode
}

func (s *smtpServer) messages() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.received...)
}

func (s *smtpServer) serve(conn net.Conn) {
	defer conn.Close()
	s.mu.Lock()
	s.sessions++
	s.mu.Unlock()
	r := textproto.NewReader(bufio.NewReader(conn))
	reply := func(line string) { _, _ = conn.Write([]byte(line + "\r\n")) }
	encrypted := s.implicit
	if s.currentMode() == hang {
		_, _ = io.Copy(io.Discard, conn) // until the client gives up
		return
	}
	reply("220 test.example ESMTP test server")
	for {
		line, err := r.ReadLine()
		if err != nil {
			return
		}
		verb := strings.ToUpper(strings.SplitN(line, " ", 2)[0])
		switch verb {
		case "EHLO":
			reply("250-test.example")
			if s.tls != nil && !encrypted {
				reply("250-STARTTLS")
			}
			reply("250-AUTH PLAIN")
			reply("250 8BITMIME")
		case "STARTTLS":
			if s.tls == nil || encrypted {
				reply("502 Not now")
				continue
			}
			reply("220 Ready to start TLS")
			tc := tls.Server(conn, s.tls)
			if err := tc.Handshake(); err != nil {
				return
			}
			conn, encrypted = tc, true
			r = textproto.NewReader(bufio.NewReader(conn))
		case "AUTH":
			s.mu.Lock()
			s.auth, s.authOverTLS = strings.TrimPrefix(line, "AUTH PLAIN "), encrypted
			s.mu.Unlock()
			reply("235 2.7.0 Authentication successful")
		case "HELO", "RSET", "NOOP":
			reply("250 OK")
		case "MAIL":
			switch s.currentMode() {
			case refuse:
				reply("451 4.3.0 Try again later")
				continue
			case drop:
				return
			}
			reply("250 OK")
		case "RCPT":
			if s.currentMode() == reject {
				reply("550 5.1.1 No such mailbox")
				continue
			}
			reply("250 OK")
		case "DATA":
			reply("354 End data with <CR><LF>.<CR><LF>")
			data, err := r.ReadDotBytes()
			if err != nil {
				return
			}
			if s.currentMode() == dropAfterData {
				return
			}
			if s.currentMode() == slow {
				time.Sleep(200 * time.Millisecond)
			}
			s.mu.Lock()
			// ReadDotBytes turns the wire's CRLF into LF; put them back.
			s.received = append(s.received, strings.ReplaceAll(string(data), "\n", "\r\n"))
			s.mu.Unlock()
			reply("250 OK queued")
		case "QUIT":
			reply("221 Bye")
			return
		default:
			reply("502 Command not implemented")
		}
	}
}
