package web

import (
	"bytes"
	"context"
	"flag"
	"os"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

var updateOpenAPI = flag.Bool("update-openapi", false, "rewrite web/openapi.json from the Go types")

// TestOpenAPIDocumentIsUpToDate fails when a type the API sends, or the
// endpoint table, changes without the committed contract being
// regenerated (go test ./web -run TestOpenAPIDocumentIsUpToDate -update-openapi)
// and the change reviewed.
func TestOpenAPIDocumentIsUpToDate(t *testing.T) {
	got := openAPIJSON()
	if *updateOpenAPI {
		if err := os.WriteFile("openapi.json", got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(got, openAPIDocument) {
		t.Fatal("web/openapi.json differs from the API's Go types: regenerate it with -update-openapi and review the change")
	}
}

// loadOpenAPI loads the served document with kin-openapi and checks it is
// a valid OpenAPI 3.1 document.
func loadOpenAPI(t *testing.T, data []byte) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(data)
	if err != nil {
		t.Fatalf("load the OpenAPI document: %v", err)
	}
	if !doc.IsOpenAPI31OrLater() {
		t.Fatalf("the document says openapi %q, want 3.1", doc.OpenAPI)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the OpenAPI document is not valid: %v", err)
	}
	return doc
}

func TestOpenAPIDocumentIsValid31(t *testing.T) {
	doc := loadOpenAPI(t, openAPIDocument)
	for _, rt := range apiRoutes {
		if doc.Paths.Find(rt.path) == nil || doc.Paths.Find(rt.path).GetOperation(rt.method) == nil {
			t.Errorf("the document has no %s %s", rt.method, rt.path)
		}
	}
}
