package imports

import (
	"context"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/s106monitor/s106/internal/datastandard"
	"github.com/s106monitor/s106/internal/seed"
	"github.com/s106monitor/s106/internal/testdb"
)

// normalisedStandard is the standard's files with what cannot survive a
// round trip taken out: the obligation and entry ids inside references,
// and the record dates (entry-date, when the row was last changed).
func normalisedStandard(t *testing.T, files []datastandard.File) string {
	ids := regexp.MustCompile(`/[0-9]+(/[0-9]+)?,`)
	entryDate := regexp.MustCompile(`,[0-9]{4}-[0-9]{2}-[0-9]{2},([0-9]{4}-[0-9]{2}-[0-9]{2}|),`)
	var b strings.Builder
	for _, f := range files {
		lines := strings.Split(strings.TrimSpace(string(f.Data)), "\n")
		for i, l := range lines {
			l = ids.ReplaceAllString(l, ",")
			lines[i] = entryDate.ReplaceAllString(l, ",$1,")
		}
		sort.Strings(lines[1:])
		b.WriteString(f.Name + "\n" + strings.Join(lines, "\n") + "\n")
	}
	return b.String()
}

func TestImportsDataStandardRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src := testdb.New(t)
	if _, err := seed.Demo(ctx, src); err != nil {
		t.Fatal(err)
	}
	std, err := datastandard.Export(ctx, src.Pool, datastandard.Options{Organisation: "local-authority:TST"})
	if err != nil {
		t.Fatal(err)
	}
	var files []File
	for _, f := range std {
		files = append(files, File{Name: f.Name, Data: f.Data})
	}
	dst := testdb.New(t)
	rep, err := Run(ctx, dst, files, Options{Actor: importer1})
	if err != nil || !rep.Committed {
		t.Fatalf("import of the data standard: %v\n%s", err, issues(rep))
	}
	again, err := datastandard.Export(ctx, dst.Pool, datastandard.Options{Organisation: "local-authority:TST"})
	if err != nil {
		t.Fatal(err)
	}
	if want, got := normalisedStandard(t, std), normalisedStandard(t, again); want != got {
		t.Fatalf("data standard differs after export → import\nsource:\n%s\nimported:\n%s", want, got)
	}
	// Re-importing the same files changes nothing.
	rep, err = Run(ctx, dst, files, Options{Actor: importer1})
	if err != nil || rep.Created.Total() != 0 || rep.Updated.Total() != 0 {
		t.Fatalf("re-import: %v created %v updated %v\n%s", err, rep.Created, rep.Updated, issues(rep))
	}
}

func TestImportsDataStandardRefusesWithheldPlaceholders(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	rep, err := Run(context.Background(), db, []File{
		{Name: "developer-agreement.csv", Data: []byte("reference,name,developer-agreement-type,planning-application,document-url,organisation,entry-date,start-date,end-date,notes\nwithheld-section-106,Agreements withheld,section-106,,,x,2025-01-01,,,\n")},
		{Name: "developer-agreement-transaction.csv", Data: []byte("reference,name,developer-agreement-contribution,contribution-funding-status,amount,units,organisation,entry-date,start-date,end-date,notes\nA/1/2,x,A/1,pledged,5,,x,2025-01-01,2025-01-01,,\n")},
	}, Options{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if !findIssue(rep, "developer-agreement.csv", 2, "reference", "withheld from publication cannot be imported") ||
		!findIssue(rep, "developer-agreement-transaction.csv", 2, "contribution-funding-status", `"pledged" is not a contribution funding status`) {
		t.Fatalf("issues:\n%s", issues(rep))
	}
}
