package config

import (
	"maps"
	"slices"
	"strings"
	"testing"
)

func TestSingleSignOnAndPasswordSwitchAreReadAndCheckedTogether(t *testing.T) {
	base := map[string]string{"DATABASE_URL": "postgres://localhost/s106"}
	c, err := load(env(base))
	if err != nil || c.OIDCIssuer != "" || c.PasswordLoginOff || !slices.Equal(c.OIDCRoleClaims, []string{"roles", "groups"}) || c.ONSURL != "" {
		t.Fatalf("defaults: %+v %v", c, err)
	}
	base["S106_OIDC_ISSUER"] = "https://login.microsoftonline.com/tenant/v2.0/"
	base["S106_OIDC_CLIENT_ID"] = "client"
	base["S106_OIDC_ROLE_CLAIMS"] = " roles , ,wids"
	base["S106_PASSWORD_LOGIN"] = "off"
	base["S106_ONS_URL"] = "https://www.ons.gov.uk/"
	c, err = load(env(base))
	if err != nil || c.OIDCIssuer != "https://login.microsoftonline.com/tenant/v2.0" || !c.PasswordLoginOff ||
		!slices.Equal(c.OIDCRoleClaims, []string{"roles", "wids"}) || c.ONSURL != "https://www.ons.gov.uk" {
		t.Fatalf("set: %+v %v", c, err)
	}
	for name, change := range map[string]map[string]string{
		"S106_OIDC_CLIENT_ID":  {"S106_OIDC_CLIENT_ID": ""},
		"must be an https://":  {"S106_OIDC_ISSUER": "http://idp.example"},
		"S106_PASSWORD_LOGIN=": {"S106_OIDC_ISSUER": "", "S106_OIDC_CLIENT_ID": ""},
		"S106_ONS_URL":         {"S106_ONS_URL": "www.ons.gov.uk"},
	} {
		expectError(t, base, change, name)
	}
}

func TestNotifySettingsAreCheckedAtStart(t *testing.T) {
	const key = "s106-26785a09-ab16-4eb0-8407-a37497a57506-3d844edf-8d35-48ac-975b-e847b4f122b0"
	const tmpl = "217a419e-6a7d-482a-9596-718b889dffce"
	base := map[string]string{"DATABASE_URL": "postgres://localhost/s106", "S106_NOTIFY_API_KEY": key, "S106_NOTIFY_TEMPLATE_ID": tmpl,
		"S106_NOTIFY_TEMPLATES": "digest=F33517FF-2a88-4f6e-b855-c550268ce08a"}
	c, err := load(env(base))
	if err != nil || c.NotifyAPIKey != key || c.NotifyTemplates["digest"] != "f33517ff-2a88-4f6e-b855-c550268ce08a" {
		t.Fatalf("%+v %v", c.NotifyTemplates, err)
	}
	for name, change := range map[string]map[string]string{
		"set together":            {"S106_NOTIFY_TEMPLATE_ID": ""},
		"the service ID":          {"S106_NOTIFY_API_KEY": "not-a-key"},
		"is not a Notify ID":      {"S106_NOTIFY_TEMPLATE_ID": "template"},
		"a kind of message and a": {"S106_NOTIFY_TEMPLATES": "digest"},
	} {
		expectError(t, base, change, name)
	}
}

// expectError loads base with change applied and expects an error
// containing want.
func expectError(t *testing.T, base, change map[string]string, want string) {
	t.Helper()
	kv := maps.Clone(base)
	maps.Copy(kv, change)
	if _, err := load(env(kv)); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("%v: error %v, want one containing %q", change, err, want)
	}
}
