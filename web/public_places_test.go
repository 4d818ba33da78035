package web

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/s106monitor/s106/internal/htmltest"
)

// hasLinks fails the test for each selector that matches no element.
func hasLinks(t *testing.T, what string, page *htmltest.Page, selectors ...string) {
	t.Helper()
	for _, sel := range selectors {
		if !page.Has(sel) {
			t.Errorf("%s has no %s", what, sel)
		}
	}
}

// containsAll fails for each want the text lacks: for a page's visible
// text (pageText), a CSV or an e-mail, not for raw HTML.
func containsAll(t *testing.T, what, text string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("%s does not show %q\n%s", what, w, excerpt(text))
		}
	}
}

func TestResidentFindsTheDevelopmentsNearAPostcodeNearestFirst(t *testing.T) {
	app := newTestApp(t)
	seedPublicFixture(t, app)
	ts := anonymous(newTestServer(t, app))

	res := ts.get(t, "/public/near?q=wv2+2bb")
	if res.status != http.StatusOK {
		t.Fatalf("status %d\n%s", res.status, excerpt(res.body))
	}
	text := pageText(res.body)
	// WV2 2BB is Quarry Road's own postcode (51.02, -1.34); Mill Lane's,
	// WV1 1AA (51.095, -1.33), is 0.075° north and 0.01° east: 8,339 m and
	// 699 m, 8.37 km in a straight line.
	containsAll(t, "near WV2 2BB", text, "Nearest to WV2 2BB", "Quarry Road 0 metres away", "Mill Lane 8.4 km (5.2 miles) away")
	if strings.Index(text, "Quarry Road 0 metres") > strings.Index(text, "Mill Lane 8.4 km") {
		t.Error("Quarry Road should come first")
	}
	// Absent from the whole page's text: stricter than asking one element.
	if strings.Contains(text, "Secret Farm") {
		t.Error("a development with only a draft agreement is listed")
	}
	// By ward name: the middle of the ward's box.
	res = ts.get(t, "/public/near?q=Riverside")
	containsAll(t, "near Riverside", pageText(res.body), "Nearest to Riverside ward", "Quarry Road")

	// Unknown places and empty searches say what to do, with the status.
	res = ts.get(t, "/public/near?q=ZZ9+9ZZ")
	search := htmltest.Parse(t, res.body)
	if res.status != http.StatusNotFound || !strings.HasPrefix(search.Text("form .govuk-form-group.govuk-form-group--error #q-error"), `Error: We could not find "ZZ9 9ZZ" in `+app.Config.CouncilName+":") ||
		search.Attr("input#q", "value") != "ZZ9 9ZZ" {
		t.Errorf("unknown postcode: status %d\n%s", res.status, excerpt(res.body))
	}
	if res = ts.get(t, "/public/near?q="); res.status != http.StatusBadRequest ||
		htmltest.Parse(t, res.body).Text(".govuk-form-group--error #q-error") != "Error: Enter a postcode or the name of a place" {
		t.Errorf("empty search: status %d", res.status)
	}
}

var (
	markerPattern   = regexp.MustCompile(`<a href="/public/developments/(\d+)" aria-label="(\d+)\. ([^"]+)" data-development="[^"]*"><circle cx="([0-9.]+)" cy="([0-9.]+)"`)
	mapListPattern  = regexp.MustCompile(`(?s)data-map-list="map">(.*?)</ul>`)
	listItemPattern = regexp.MustCompile(`(?s)<li>(?:<span[^>]*>(\d+)\.</span> )?<a class="govuk-link" href="/public/developments/(\d+)">([^<]+)</a>`)
)

func TestMapDrawsEachDevelopmentWhereItIsAndListsTheSameInWords(t *testing.T) {
	app := newTestApp(t)
	seedPublicFixture(t, app)
	ts := anonymous(newTestServer(t, app))
	res := ts.get(t, "/public/map")
	if res.status != http.StatusOK {
		t.Fatalf("status %d", res.status)
	}
	// The demo wards span 51.00–51.12°N and 1.50–1.25°W: 960 units across
	// for 0.25° × cos(51.06°), so 6,110 units a degree of latitude. Mill
	// Lane (WV1 1AA: 51.095, -1.33) is 0.17° east and 0.025° south of the
	// north-west corner, inside the 20-unit margin.
	var markers [][]string
	for _, m := range markerPattern.FindAllStringSubmatch(res.body, -1) {
		markers = append(markers, m[1:])
	}
	if len(markers) != 2 {
		t.Fatalf("%d markers, want 2 (Mill Lane, Quarry Road)\n%s", len(markers), excerpt(res.body))
	}
	mill := markers[0]
	// (Web Mercator since the tile layer: the equirectangular projection
	// put it at 672.8,172.7.)
	if mill[2] != "Mill Lane" || mill[3] != "672.8" || mill[4] != "172.9" {
		t.Errorf("Mill Lane marker %v, want at 672.8,172.9", mill)
	}
	mapPage := htmltest.Parse(t, res.body)
	if mapPage.Attr("figure.app-map svg", "viewBox") != "0 0 1000 774" || mapPage.Attr("figure.app-map svg", "width") != "100%" {
		t.Error("the map should scale to the screen with its viewBox")
	}
	// Every ward and parish is drawn, and each name links to its page.
	for _, area := range []string{"ward:Ashford North", "ward:Central", "ward:Riverside", "ward:Bramley and Downs", "parish:Ashford Vale", "parish:Little Bramley"} {
		if !mapPage.Has(`figure.app-map svg path[data-area="` + area + `"]`) {
			t.Errorf("%s is not drawn", area)
		}
	}
	if !mapPage.HasExactText("figure.app-map svg a[href='/public/wards/bramley-and-downs'] text", "Bramley and Downs") ||
		!mapPage.HasExactText("figure.app-map svg a[href='/public/parishes/little-bramley'] text", "Little Bramley") {
		t.Error("the map's area names do not link to their pages")
	}
	// The text alternative lists the same developments, with the same numbers.
	list := mapListPattern.FindStringSubmatch(res.body)
	if list == nil {
		t.Fatal("no list beside the map")
	}
	var listed, drawn []string
	for _, it := range listItemPattern.FindAllStringSubmatch(list[1], -1) {
		listed = append(listed, it[1]+" "+it[2]+" "+it[3])
	}
	for _, m := range markers {
		drawn = append(drawn, m[1]+" "+m[0]+" "+m[2])
	}
	if !slices.Equal(listed, drawn) {
		t.Errorf("list %v, map %v", listed, drawn)
	}
}

func TestWardParishAndInfrastructurePagesShowTheirFiguresWithCSV(t *testing.T) {
	app := newTestApp(t)
	seedPublicFixture(t, app)
	ts := anonymous(newTestServer(t, app))

	res := ts.get(t, "/public/wards")
	hasLinks(t, "wards", htmltest.Parse(t, res.body), "main a[href='/public/wards/north-ward']", "main a[href='/public/wards/south-ward']", "main a[href='/public/wards/ashford-north']")

	// North Ward is Mill Lane: £287,500 + £96,400 agreed; £300,000
	// received, £120,000 spent, £10,000 returned, so £170,000 held; five
	// affordable homes agreed, three completed, two lost.
	res = ts.get(t, "/public/wards/north-ward")
	containsAll(t, "North Ward", pageText(res.body), "North Ward ward", "Agreed £383,900.00", "Received £300,000.00", "Spent £120,000.00", "Held £170,000.00",
		"Secured by agreements 5", "Delivered 3", "Lost from the affordable stock 2", "Mill Lane")
	hasLinks(t, "North Ward's glossary links", htmltest.Parse(t, res.body), "main a[href='/public/glossary#held']", "main a[href='/public/glossary#trigger']", "main a[href='/public/glossary#registered-provider']")
	csv := ts.get(t, "/public/wards/north-ward/data.csv")
	want := "purpose,agreed,received,spent,returned,held\nEducation,287500.00,200000.00,120000.00,0.00,80000.00\nHealth,96400.00,100000.00,0.00,10000.00,90000.00\nAll purposes,383900.00,300000.00,120000.00,10000.00,170000.00\n"
	if csv.body != want || csv.header.Get("Cache-Control") == "" {
		t.Errorf("ward CSV:\n%s\nwant\n%s", csv.body, want)
	}
	// South Ward's one agreement is withheld: its development is listed,
	// its money is not (the ward's total would be that agreement's).
	res = ts.get(t, "/public/wards/south-ward")
	containsAll(t, "South Ward", pageText(res.body), "Quarry Road", "Agreed £0.00", "Received £0.00")

	res = ts.get(t, "/public/parishes/little-bramley")
	containsAll(t, "a parish", pageText(res.body), "Little Bramley parish", "No development here has a published agreement yet.")
	if res = ts.get(t, "/public/wards/atlantis"); res.status != http.StatusNotFound {
		t.Errorf("unknown ward: %d", res.status)
	}

	res = ts.get(t, "/public/infrastructure")
	hasLinks(t, "infrastructure", htmltest.Parse(t, res.body), "main a[href='/public/infrastructure/education']", "main a[href='/public/infrastructure/health']")
	// Absent from the page's bytes: stricter than asking one element.
	if strings.Contains(res.body, "open-space-and-leisure") {
		t.Error("open space is only in the withheld agreement, so has no page in the list")
	}
	res = ts.get(t, "/public/infrastructure/education")
	containsAll(t, "education", pageText(res.body), "Mill Lane (North Ward ward)",
		"The developer must pay £287,500.00 for education. The council has got £200,000.00 and spent £120,000.00 of it.")
	csv = ts.get(t, "/public/infrastructure/education/data.csv")
	containsAll(t, "education CSV", csv.body, "development,ward,purpose,what,amount,received,spent,status\nMill Lane,North Ward,Education,")
	if res = ts.get(t, "/public/infrastructure/rpi"); res.status != http.StatusNotFound {
		t.Errorf("unknown purpose: %d", res.status)
	}
}

func TestFeedsListOnlyAllowListedChangesOfShownAgreements(t *testing.T) {
	app := newTestApp(t)
	f := seedPublicFixture(t, app)
	ts := anonymous(newTestServer(t, app))
	res := ts.get(t, fmt.Sprintf("/public/developments/%d/feed.atom", f.MillLane))
	if res.status != http.StatusOK || !strings.HasPrefix(res.header.Get("Content-Type"), "application/atom+xml") {
		t.Fatalf("status %d %q", res.status, res.header.Get("Content-Type"))
	}
	var feed struct {
		Title   string `xml:"title"`
		Entries []struct {
			ID      string `xml:"id"`
			Summary string `xml:"summary"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal([]byte(res.body), &feed); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range feed.Entries {
		got = append(got, e.Summary)
	}
	slices.Sort(got)
	want := []string{
		"1 October 2024: 2 affordable homes completed.",
		"1 September 2024: £120,000.00 of the education money spent on Ashford Primary expansion.",
		"10 April 2025: 1 affordable home completed.",
		"3 June 2024: £100,000.00 received from the developer for health.",
		"3 June 2024: £200,000.00 received from the developer for education.",
	}
	if !slices.Equal(got, want) {
		t.Errorf("Mill Lane's feed:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The return to the developer and the allocation are not news for the
	// feed; the withheld agreement's receipt is not in any feed.
	quarry := ts.get(t, fmt.Sprintf("/public/developments/%d/feed.atom", f.Quarry))
	if strings.Contains(quarry.body, "<entry>") || strings.Contains(quarry.body, "50,000") {
		t.Errorf("the withheld agreement's money is in a feed:\n%s", quarry.body)
	}
	ward := ts.get(t, "/public/wards/north-ward/feed.atom")
	if strings.Count(ward.body, "<entry>") != 5 || !strings.Contains(ward.body, "<title>North Ward ward") {
		t.Errorf("North Ward's feed:\n%s", ward.body)
	}
	if res := ts.get(t, fmt.Sprintf("/public/developments/%d/feed.atom", f.Draft)); res.status != http.StatusNotFound {
		t.Errorf("a draft development's feed: %d", res.status)
	}
}
