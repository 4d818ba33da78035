package homes

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/listing"
	"github.com/s106monitor/s106/internal/store"
)

// EntityProvider is the audit entity type for registered providers.
const EntityProvider = "registered_provider"

// rshPattern is the Regulator of Social Housing registration number as the
// schema allows it: private providers' like 4567 or L0123, local
// authorities' like 45UB.
var rshPattern = regexp.MustCompile(`^[A-Z0-9]{2,10}$`)

// companyPattern is a Companies House company number: 8 digits, 2
// letters (SC, NI, OC, ...) and 6 digits, or a society's IP12345R.
var companyPattern = regexp.MustCompile(`^([0-9]{8}|[A-Z]{2}[0-9]{6}|[A-Z]{2}[0-9]{5}R)$`)

// ProviderType is what kind of landlord a registered provider is, which
// decides the statutory exits its tenants have (exits.go).
type ProviderType string

// Provider types.
const (
	LocalAuthority            ProviderType = "local-authority"
	PrivateRegisteredProvider ProviderType = "private-registered-provider"
	OtherProvider             ProviderType = "other"
)

// ProviderTypes lists the types in the order forms show them.
var ProviderTypes = []ProviderType{PrivateRegisteredProvider, LocalAuthority, OtherProvider}

// Label names the type as officers say it.
func (t ProviderType) Label() string {
	switch t {
	case LocalAuthority:
		return "Local authority"
	case PrivateRegisteredProvider:
		return "Private registered provider (housing association)"
	case OtherProvider:
		return "Other (not a registered provider)"
	}
	return string(t)
}

// ProviderInput is what an officer records about a registered provider.
type ProviderInput struct {
	Name          string
	RSHNumber     string
	Type          string
	CompanyNumber string
	ContactName   string
	ContactEmail  string
	ContactPhone  string
}

// ProviderFields lists the provider form's fields in page order.
var ProviderFields = []string{"name", "provider_type", "rsh_number", "company_number", "contact_name", "contact_email", "contact_phone"}

// Validate checks the provider's rules that need no database and tidies
// what was typed.
func (in *ProviderInput) Validate() *forms.Errors {
	errs := &forms.Errors{}
	in.Name = strings.Join(strings.Fields(in.Name), " ")
	in.RSHNumber = strings.ToUpper(strings.Join(strings.Fields(in.RSHNumber), ""))
	in.ContactName = strings.Join(strings.Fields(in.ContactName), " ")
	in.ContactEmail = strings.TrimSpace(in.ContactEmail)
	in.ContactPhone = strings.Join(strings.Fields(in.ContactPhone), " ")
	switch {
	case in.Name == "":
		errs.Add("name", "Enter the registered provider's name")
	case len([]rune(in.Name)) > 200:
		errs.Add("name", "Name must be 200 characters or fewer")
	}
	if in.RSHNumber != "" && !rshPattern.MatchString(in.RSHNumber) {
		errs.Add("rsh_number", "Registration number must be 2 to 10 letters and digits, like 4567, L0123 or 45UB")
	}
	in.CompanyNumber = strings.ToUpper(strings.Join(strings.Fields(in.CompanyNumber), ""))
	if len(in.CompanyNumber) > 0 && len(in.CompanyNumber) < 8 && strings.Trim(in.CompanyNumber, "0123456789") == "" {
		in.CompanyNumber = strings.Repeat("0", 8-len(in.CompanyNumber)) + in.CompanyNumber // Companies House pads with zeros
	}
	if in.CompanyNumber != "" && !companyPattern.MatchString(in.CompanyNumber) {
		errs.Add("company_number", "Company number must be 8 digits, or 2 letters and 6 digits, like 01234567, SC123456 or IP12345R")
	}
	if in.Type == "" {
		in.Type = string(PrivateRegisteredProvider)
	}
	valid := false
	for _, t := range ProviderTypes {
		valid = valid || string(t) == in.Type
	}
	if !valid {
		errs.Add("provider_type", "Select the type of provider")
	}
	if len([]rune(in.ContactName)) > 200 {
		errs.Add("contact_name", "Contact name must be 200 characters or fewer")
	}
	if in.ContactEmail != "" {
		if a, err := mail.ParseAddress(in.ContactEmail); err != nil || a.Address != in.ContactEmail || !strings.Contains(in.ContactEmail, ".") {
			errs.Add("contact_email", "Enter an email address in the correct format, like name@example.com")
		}
	}
	if len([]rune(in.ContactPhone)) > 40 {
		errs.Add("contact_phone", "Phone number must be 40 characters or fewer")
	}
	return errs
}

func (in ProviderInput) apply(p *Provider) {
	p.Name, p.RSHNumber, p.ContactName, p.ContactEmail, p.ContactPhone = in.Name, in.RSHNumber, in.ContactName, in.ContactEmail, in.ContactPhone
	p.Type, p.CompanyNumber = ProviderType(in.Type), in.CompanyNumber
}

// providerAuditView is what the audit trail keeps of a provider.
func providerAuditView(p Provider) map[string]any {
	return map[string]any{
		"name":                p.Name,
		"registration number": p.RSHNumber,
		"type":                p.Type.Label(),
		"company number":      p.CompanyNumber,
		"contact name":        p.ContactName,
		"contact email":       p.ContactEmail,
		"contact phone":       p.ContactPhone,
	}
}

// checkProviderInDB refuses a name or registration number another
// provider already has.
func checkProviderInDB(ctx context.Context, q store.Querier, in ProviderInput, exceptID int64, errs *forms.Errors) error {
	if in.Name != "" {
		holder, found, err := providerHolder(ctx, q, "lower(name) = lower($1)", in.Name, exceptID)
		if err != nil {
			return err
		}
		if found {
			errs.Add("name", "There is already a registered provider called "+holder+": choose a different name")
		}
	}
	if in.RSHNumber != "" {
		holder, found, err := providerHolder(ctx, q, "rsh_number = $1", in.RSHNumber, exceptID)
		if err != nil {
			return err
		}
		if found {
			errs.Add("rsh_number", "Registration number "+in.RSHNumber+" is already used by "+holder)
		}
	}
	return nil
}

// providerUniqueError turns a unique-index race into the form message.
func providerUniqueError(err error, in ProviderInput) error {
	errs := &forms.Errors{}
	switch {
	case store.IsUniqueViolation(err, "registered_providers_name_key"):
		errs.Add("name", "There is already a registered provider called "+in.Name+": choose a different name")
	case store.IsUniqueViolation(err, "registered_providers_rsh_key"):
		errs.Add("rsh_number", "Registration number "+in.RSHNumber+" is already used by another provider")
	default:
		return err
	}
	return errs
}

// CreateProvider adds a registered provider.
func (s *Service) CreateProvider(ctx context.Context, actor audit.Actor, in ProviderInput) (Provider, error) {
	errs := in.Validate()
	var p Provider
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		if err := checkProviderInDB(ctx, tx, in, 0, errs); err != nil {
			return err
		}
		if errs.Any() {
			return errs
		}
		in.apply(&p)
		id, err := insertProvider(ctx, tx, p)
		if err != nil {
			return providerUniqueError(err, in)
		}
		if p, err = providerByID(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, "registered_provider.create", EntityProvider, strconv.FormatInt(id, 10),
			"Added registered provider "+p.Name, nil, providerAuditView(p))
	})
	if err != nil {
		return Provider{}, wrapErr("create registered provider", err)
	}
	return p, nil
}

// UpdateProvider changes a provider; version is the version the form was
// based on (store.ErrConflict if someone saved since).
func (s *Service) UpdateProvider(ctx context.Context, actor audit.Actor, id int64, version int, in ProviderInput) (Provider, error) {
	errs := in.Validate()
	var after Provider
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		before, err := providerByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if before.Version != version {
			return store.ErrConflict
		}
		if err := checkProviderInDB(ctx, tx, in, id, errs); err != nil {
			return err
		}
		if errs.Any() {
			return errs
		}
		after = before
		in.apply(&after)
		if err := updateProvider(ctx, tx, after, version); err != nil {
			return providerUniqueError(err, in)
		}
		if after, err = providerByID(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, "registered_provider.update", EntityProvider, strconv.FormatInt(id, 10),
			"Changed registered provider "+after.Name, providerAuditView(before), providerAuditView(after))
	})
	if err != nil {
		return Provider{}, wrapErr("update registered provider", err)
	}
	return after, nil
}

// GetProvider returns one registered provider.
func (s *Service) GetProvider(ctx context.Context, id int64) (Provider, error) {
	return providerByID(ctx, s.DB.Pool, id)
}

// ProviderRow is a provider as the providers list shows it.
type ProviderRow struct {
	Provider
	Homes int // homes whose current provider it is
}

// ListProviders returns every registered provider by name, with how many
// homes each currently holds.
func (s *Service) ListProviders(ctx context.Context) ([]ProviderRow, error) {
	return listProviders(ctx, s.DB.Pool)
}

// ProviderOptions lists providers for drop-down lists; Homes is not counted.
func (s *Service) ProviderOptions(ctx context.Context) ([]ProviderRow, error) {
	return providerOptions(ctx, s.DB.Pool)
}

// ProviderHomes lists the homes a provider currently holds or was named
// for, by development and plot.
func (s *Service) ProviderHomes(ctx context.Context, id int64) ([]Home, error) {
	w := &listing.Where{}
	w.Add("(st.current_provider_id = ? OR h.registered_provider_id = ?)", id, id)
	w.Add("h.archived_at IS NULL")
	homes, _, err := queryHomes(ctx, s.DB.Pool, w, "lower(d.name), "+plotOrder("")+", h.id", 0, 0)
	return homes, err
}

// wrapErr adds context to an error but leaves validation errors,
// conflicts and missing records recognisable to handlers.
func wrapErr(what string, err error) error {
	if err == nil {
		return nil
	}
	var verrs *forms.Errors
	var ierrs ImportErrors
	if errors.As(err, &verrs) || errors.As(err, &ierrs) {
		return err
	}
	return fmt.Errorf("%s: %w", what, err)
}
