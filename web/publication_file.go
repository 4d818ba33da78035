package web

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// inlineStyles finds the <style> elements of a document.
var inlineStyles = regexp.MustCompile(`(?s)<style>(.*?)</style>`)

// writePublication sends a file of a published statement. The statement
// itself (HTML) opens in the browser: it carries its own styles, which the
// page's Content-Security-Policy allows by their hashes and nothing else
// inline. Data files download.
func writePublication(w http.ResponseWriter, name, contentType string, data []byte) {
	if !strings.HasPrefix(contentType, "text/html") {
		writeDownload(w, name, contentType, data)
		return
	}
	styles := "style-src 'self'"
	for _, m := range inlineStyles.FindAllSubmatch(data, -1) {
		sum := sha256.Sum256(m[1])
		styles += " 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	}
	h := w.Header()
	h.Set("Content-Security-Policy", strings.Replace(contentSecurityPolicy, "style-src 'self'", styles, 1))
	h.Set("Content-Type", contentType)
	h.Set("Content-Disposition", `inline; filename="`+strings.ReplaceAll(name, `"`, "")+`"`)
	h.Set("Content-Length", strconv.Itoa(len(data)))
	_, _ = w.Write(data)
}
