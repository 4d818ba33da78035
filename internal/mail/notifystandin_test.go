package mail_test

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// Notify's test service: the API key is {name}-{service id}-{secret}.
const (
	notifyServiceID = "26785a09-ab16-4eb0-8407-a37497a57506"
	notifySecret    = "3d844edf-8d35-48ac-975b-e847b4f122b0"
	notifyKey       = "s106_monitor_test-" + notifyServiceID + "-" + notifySecret
	alertTemplate   = "217a419e-6a7d-482a-9596-718b889dffce"
	digestTemplate  = "f33517ff-2a88-4f6e-b855-c550268ce08a"
	// letterTemplate's body is "((body))\n\nDownload the letter:
	// ((link_to_file))": a message sent with it must carry a file.
	letterTemplate = "8b1f4c62-5d0e-4a6b-9f7e-2c3d4e5f6a7b"
)

// notifyStandIn speaks GOV.UK Notify's API as published: POST
// /v2/notifications/email (201 with the notification's id, reference,
// content, uri and template; errors as {"status_code", "errors": [{"error",
// "message"}]}) and GET /v2/notifications/{id}, each authenticated by a
// JWT it verifies: HS256 under the service's secret key, iss the service
// id, iat within 30 seconds of its clock.
type notifyStandIn struct {
	*httptest.Server
	mu   sync.Mutex
	sent []notifyRequest
	// statuses by notification id, as GET returns them.
	statuses map[string]string
	// next answers forced for the coming POSTs, in order: 429, 500, or -1
	// to read the request and drop the connection without answering.
	next []int
}

type notifyRequest struct {
	ID              string
	EmailAddress    string         `json:"email_address"`
	TemplateID      string         `json:"template_id"`
	Personalisation map[string]any `json:"personalisation"`
	Reference       string         `json:"reference"`
	// Files are the "send a file by email" placeholders' files, decoded,
	// by placeholder.
	Files map[string]notifyFile `json:"-"`
}

// notifyFile is one file sent by email, as the stand-in decoded it.
type notifyFile struct {
	Content      []byte
	FileName     string
	ConfirmEmail bool
	Retention    string
}

var retentionRe = regexp.MustCompile(`^([1-9]|[1-7][0-9]) weeks?$`)

// files checks the personalisation's file objects as Notify does ("file"
// is base64 of at most 2 MB; "filename" has an extension;
// "confirm_email_before_download" a boolean; "retention_period" 1 to 78
// weeks) and decodes them; a message is the error Notify gives.
func (req *notifyRequest) files() string {
	req.Files = map[string]notifyFile{}
	for k, v := range req.Personalisation {
		obj, ok := v.(map[string]any)
		if !ok {
			continue
		}
		b64, _ := obj["file"].(string)
		content, err := base64.StdEncoding.DecodeString(b64)
		if err != nil || b64 == "" {
			return k + ": File is not valid base64"
		}
		if len(content) > 2<<20 {
			return k + ": File is larger than 2MB"
		}
		f := notifyFile{Content: content, ConfirmEmail: true, Retention: "26 weeks"}
		if name, ok := obj["filename"]; ok {
			f.FileName, _ = name.(string)
			if !strings.Contains(f.FileName, ".") {
				return k + ": filename must end with a file extension"
			}
		}
		if c, ok := obj["confirm_email_before_download"]; ok {
			if f.ConfirmEmail, ok = c.(bool); !ok {
				return k + ": confirm_email_before_download must be a boolean"
			}
		}
		if r, ok := obj["retention_period"]; ok {
			if f.Retention, _ = r.(string); !retentionRe.MatchString(f.Retention) || f.Retention == "79 weeks" {
				return k + ": Unsupported value for retention_period"
			}
		}
		req.Files[k] = f
	}
	return ""
}

func newNotifyStandIn(t *testing.T) *notifyStandIn {
	t.Helper()
	n := &notifyStandIn{statuses: map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v2/notifications/email", n.sendEmail)
	mux.HandleFunc("GET /v2/notifications/{id}", n.status)
	n.Server = httptest.NewServer(mux)
	t.Cleanup(n.Server.Close)
	return n
}

func notifyFail(w http.ResponseWriter, status int, kind, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"status_code": status, "errors": []map[string]string{{"error": kind, "message": message}}})
}

// authorised checks the bearer token as Notify does.
func authorised(w http.ResponseWriter, r *http.Request) bool {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	parts := strings.Split(token, ".")
	if !ok || len(parts) != 3 {
		notifyFail(w, 403, "AuthError", "Unauthorized: authentication token must be provided")
		return false
	}
	mac := hmac.New(sha256.New, []byte(notifySecret))
	mac.Write([]byte(parts[0] + "." + parts[1]))
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	var header struct{ Alg, Typ string }
	var claims struct {
		Iss string
		Iat int64
	}
	h, _ := base64.RawURLEncoding.DecodeString(parts[0])
	c, _ := base64.RawURLEncoding.DecodeString(parts[1])
	if json.Unmarshal(h, &header) != nil || json.Unmarshal(c, &claims) != nil || header.Alg != "HS256" || header.Typ != "JWT" || !hmac.Equal(sig, mac.Sum(nil)) {
		notifyFail(w, 403, "AuthError", "Invalid token: signature, api token not found")
		return false
	}
	if claims.Iss != notifyServiceID {
		notifyFail(w, 403, "AuthError", "Invalid token: service not found")
		return false
	}
	if d := time.Since(time.Unix(claims.Iat, 0)); d > 30*time.Second || d < -30*time.Second {
		notifyFail(w, 403, "AuthError", "Error: Your system clock must be accurate to within 30 seconds")
		return false
	}
	return true
}

func (n *notifyStandIn) sendEmail(w http.ResponseWriter, r *http.Request) {
	var req notifyRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		notifyFail(w, 400, "BadRequestError", "Invalid JSON supplied in POST data")
		return
	}
	n.mu.Lock()
	var forced int
	if len(n.next) > 0 {
		forced, n.next = n.next[0], n.next[1:]
	}
	n.mu.Unlock()
	switch forced {
	case -1:
		conn, _, _ := w.(http.Hijacker).Hijack()
		conn.Close()
		n.mu.Lock()
		n.sent = append(n.sent, req) // it arrived; the answer never did
		n.mu.Unlock()
		return
	case 429:
		notifyFail(w, 429, "RateLimitError", "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds")
		return
	case 500:
		notifyFail(w, 500, "Exception", "Internal server error")
		return
	}
	if !authorised(w, r) {
		return
	}
	if req.TemplateID != alertTemplate && req.TemplateID != digestTemplate && req.TemplateID != letterTemplate {
		notifyFail(w, 400, "BadRequestError", "Template not found")
		return
	}
	if !strings.Contains(req.EmailAddress, "@") || strings.HasSuffix(req.EmailAddress, ".invalid") {
		notifyFail(w, 400, "ValidationError", "email_address Not a valid email address")
		return
	}
	placeholders := []string{"subject", "body"}
	if req.TemplateID == letterTemplate {
		placeholders = append(placeholders, "link_to_file")
	}
	if msg := req.files(); msg != "" {
		notifyFail(w, 400, "BadRequestError", msg)
		return
	}
	for _, k := range placeholders {
		if _, ok := req.Personalisation[k]; !ok {
			notifyFail(w, 400, "BadRequestError", "Missing personalisation: "+k)
			return
		}
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	req.ID = fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
	n.mu.Lock()
	n.sent = append(n.sent, req)
	n.statuses[req.ID] = "created"
	n.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"id": req.ID, "reference": req.Reference,
		"content":  map[string]any{"subject": req.Personalisation["subject"], "body": req.Personalisation["body"], "from_email": "s106.monitor@notifications.service.gov.uk"},
		"uri":      n.URL + "/v2/notifications/" + req.ID,
		"template": map[string]any{"id": req.TemplateID, "version": 1, "uri": n.URL + "/v2/template/" + req.TemplateID},
	})
}

func (n *notifyStandIn) status(w http.ResponseWriter, r *http.Request) {
	if !authorised(w, r) {
		return
	}
	n.mu.Lock()
	st, ok := n.statuses[r.PathValue("id")]
	n.mu.Unlock()
	if !ok {
		notifyFail(w, 404, "NoResultFound", "No result found")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"id": r.PathValue("id"), "type": "email", "status": st})
}

func (n *notifyStandIn) received() []notifyRequest {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]notifyRequest(nil), n.sent...)
}

func (n *notifyStandIn) setStatus(id, status string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.statuses[id] = status
}

func (n *notifyStandIn) force(statuses ...int) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.next = append(n.next, statuses...)
}
