package config

import (
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
		kv := map[string]string{}
		for k, v := range base {
			kv[k] = v
		}
		for k, v := range change {
			kv[k] = v
		}
		if _, err := load(env(kv)); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%v: error %v, want one containing %q", change, err, name)
		}
	}
}
