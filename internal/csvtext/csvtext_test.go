package csvtext

import "testing"

func TestSafe(t *testing.T) {
	for in, want := range map[string]string{
		"=HYPERLINK(\"http://x\")": "'=HYPERLINK(\"http://x\")",
		"+44 1234":                 "'+44 1234",
		"-5":                       "-5",
		"-2+3":                     "'-2+3",
		"-250.00":                  "-250.00",
		"@SUM(A1)":                 "'@SUM(A1)",
		"Ashford Primary":          "Ashford Primary",
		"":                         "",
	} {
		if got := Safe(in); got != want {
			t.Errorf("Safe(%q) = %q, want %q", in, got, want)
		}
	}
}
