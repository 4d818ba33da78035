package homes

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/store"
)

// Tenure categories.
const (
	CategoryRent      = "rent"
	CategoryOwnership = "ownership"
	CategoryMarket    = "market"
)

// TenureProduct is one tenure as the council names it: the built-in ones
// and those the admin adds (tenure_products).
type TenureProduct struct {
	Code        Tenure
	Label       string
	Category    string // rent, ownership or market
	Staircasing bool   // the occupier can buy out the rest
	Description string
	SortOrder   int
	BuiltIn     bool
}

// builtInTenures mirror migration 00061's rows, so labels read right
// before the list is loaded from the database.
var builtInTenures = []TenureProduct{
	{SocialRent, "Social rent", CategoryRent, false, "", 10, true},
	{LondonAffordableRent, "London Affordable Rent", CategoryRent, false, "", 20, true},
	{AffordableRent, "Affordable rent", CategoryRent, false, "", 30, true},
	{LondonLivingRent, "London Living Rent", CategoryRent, false, "", 40, true},
	{IntermediateRent, "Intermediate rent", CategoryRent, false, "", 50, true},
	{"discount-market-rent", "Discount market rent", CategoryRent, false, "", 55, true},
	{"rent-to-buy", "Rent to buy", CategoryRent, false, "", 57, true},
	{SharedOwnership, "Shared ownership", CategoryOwnership, true, "", 60, true},
	{"shared-equity", "Shared equity", CategoryOwnership, false, "", 65, true},
	{"older-persons-shared-ownership", "Older people's shared ownership", CategoryOwnership, true, "", 66, true},
	{FirstHomes, "First Homes", CategoryOwnership, false, "", 70, true},
	{DiscountMarketSale, "Discount market sale", CategoryOwnership, false, "", 80, true},
	{OtherIntermediate, "Other intermediate", CategoryOwnership, false, "", 90, true},
	{Market, "Market", CategoryMarket, false, "", 1000, true},
}

// tenureRegistry is the process's copy of tenure_products, read at start
// and after an admin adds a product.
var tenureRegistry = struct {
	sync.RWMutex
	list   []TenureProduct
	byCode map[Tenure]TenureProduct
}{}

func init() { setTenures(builtInTenures) }

func setTenures(list []TenureProduct) {
	list = slices.Clone(list)
	slices.SortStableFunc(list, func(a, b TenureProduct) int { return a.SortOrder - b.SortOrder })
	by := make(map[Tenure]TenureProduct, len(list))
	for _, p := range list {
		by[p.Code] = p
	}
	tenureRegistry.Lock()
	tenureRegistry.list, tenureRegistry.byCode = list, by
	tenureRegistry.Unlock()
}

func tenureProduct(t Tenure) (TenureProduct, bool) {
	tenureRegistry.RLock()
	defer tenureRegistry.RUnlock()
	p, ok := tenureRegistry.byCode[t]
	return p, ok
}

// TenureProducts lists every tenure product in the forms' order.
func TenureProducts() []TenureProduct {
	tenureRegistry.RLock()
	defer tenureRegistry.RUnlock()
	return slices.Clone(tenureRegistry.list)
}

// TenureList lists every tenure in the forms' order, market last.
func TenureList() []Tenure {
	var out []Tenure
	for _, p := range TenureProducts() {
		out = append(out, p.Code)
	}
	return out
}

// LoadTenures reads tenure_products into the process's list.
func (s *Service) LoadTenures(ctx context.Context) error {
	rows, err := s.DB.Pool.Query(ctx, `SELECT code, label, category, staircasing, description, sort_order, built_in FROM tenure_products`)
	if err != nil {
		return fmt.Errorf("load tenures: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (TenureProduct, error) {
		var p TenureProduct
		err := row.Scan(&p.Code, &p.Label, &p.Category, &p.Staircasing, &p.Description, &p.SortOrder, &p.BuiltIn)
		return p, err
	})
	if err != nil {
		return fmt.Errorf("load tenures: %w", err)
	}
	setTenures(list)
	return nil
}

// TenureProductInput is a tenure product as the admin typed it.
type TenureProductInput struct {
	Label       string
	Category    string
	Staircasing bool
	Description string
}

// TenureProductFields orders the form's fields for the error summary.
var TenureProductFields = []string{"label", "category", "description"}

var nonCode = regexp.MustCompile(`[^a-z0-9]+`)

// tenureCode makes a product's code from its label: "Key worker rent" is
// key-worker-rent.
func tenureCode(label string) string {
	return strings.Trim(nonCode.ReplaceAllString(strings.ToLower(label), "-"), "-")
}

// AddTenureProduct adds a tenure product the council uses (an admin's
// job), sorted after the built-in affordable products and before market.
func (s *Service) AddTenureProduct(ctx context.Context, actor audit.Actor, in TenureProductInput) (TenureProduct, error) {
	in.Label, in.Description = strings.TrimSpace(in.Label), strings.TrimSpace(in.Description)
	errs := &forms.Errors{}
	code := tenureCode(in.Label)
	switch {
	case in.Label == "":
		errs.Add("label", "Enter the name of the tenure product")
	case len(in.Label) > 80:
		errs.Add("label", "Name must be 80 characters or fewer")
	case len(code) < 2 || code[0] < 'a' || code[0] > 'z':
		errs.Add("label", "Name must start with a letter")
	}
	if in.Category != CategoryRent && in.Category != CategoryOwnership {
		errs.Add("category", "Select whether the product is rented or owned")
	}
	if len(in.Description) > 500 {
		errs.Add("description", "Description must be 500 characters or fewer")
	}
	if errs.Any() {
		return TenureProduct{}, errs
	}
	p := TenureProduct{Code: Tenure(code), Label: in.Label, Category: in.Category, Staircasing: in.Staircasing, Description: in.Description}
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `
			INSERT INTO tenure_products (code, label, category, staircasing, description, sort_order)
			VALUES ($1, $2, $3, $4, $5, (SELECT max(sort_order) + 1 FROM tenure_products WHERE category <> 'market'))
			RETURNING sort_order`, code, in.Label, in.Category, in.Staircasing, in.Description).Scan(&p.SortOrder)
		if store.IsUniqueViolation(err, "") {
			errs.Add("label", "There is already a tenure product called "+in.Label)
			return errs
		}
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, "tenure.create", "tenure", code, "Added tenure product "+in.Label, nil,
			map[string]any{"name": in.Label, "category": in.Category, "staircasing": in.Staircasing, "description": in.Description})
	})
	if err != nil {
		return TenureProduct{}, err
	}
	return p, s.LoadTenures(ctx)
}
