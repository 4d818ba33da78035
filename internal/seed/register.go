package seed

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/agreements"
	"github.com/s106monitor/s106/internal/store"
)

// The demo register: five fictional developments in the fictional Wessex
// Vale, with agreements whose obligations cover every kind, indexed and
// unindexed money, met and pending triggers, a deed of variation, a draft,
// and gaps the "Check an agreement" checklist points out.

func day(y int, m time.Month, d int) *time.Time {
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return &t
}

func gbp(s string) *decimal.Decimal {
	d := decimal.RequireFromString(s)
	return &d
}

func n(v int) *int { return &v }

type demoObligation struct {
	in     agreements.ObligationInput
	events []agreements.EventInput
}

type demoAgreement struct {
	in          agreements.AgreementInput
	applyRefs   []string
	varies      string // reference of the agreement a deed varies
	obligations []demoObligation
	variations  []struct{ clause, change string }
}

type demoDevelopment struct {
	in           agreements.DevelopmentInput
	applications []agreements.ApplicationInput
	agreements   []demoAgreement
}

func demoRegister() []demoDevelopment {
	edu := func(amount, words string, trigger int, met *time.Time) demoObligation {
		o := demoObligation{in: agreements.ObligationInput{
			Kind: "financial", PurposeCode: "education", ClauseRef: "Sch 3 para 1.1",
			Description: "Pay the Education Contribution of " + words + " towards additional primary school places at Ashford Vale Primary, index-linked to BCIS, before occupation of the " + fmt.Sprint(trigger) + "th dwelling.",
			TriggerType: "occupation-count", TriggerQuantity: n(trigger),
			BaseAmount: gbp(amount), Index: "bcis-tpi", BaseDate: day(2019, 4, 1), PaymentDueDays: n(28), PaymentDueFrom: "invoice",
			SpendByMonths: n(120), ReturnUnspent: true, InterestTerms: "Returned with interest at 2% above Bank of England base rate.",
			SchoolPlaces: n(42), SchoolCategory: "primary",
			ServiceArea: "Education", ContactName: "School Place Planning Team", ContactEmail: "school.places@wessexvale.example",
		}}
		if met != nil {
			o.events = []agreements.EventInput{{Kind: agreements.EventTriggerMet, Date: met, Evidence: "Occupation notice from the developer; council tax records confirm the dwelling occupied."}}
		}
		return o
	}
	return []demoDevelopment{
		{
			in: agreements.DevelopmentInput{Name: "Mill Lane", Address: "Land west of Mill Lane, Ashford Vale", Postcode: "WV3 7QA", Ward: "Ashford North", Easting: n(445210), Northing: n(128930), HomesProposed: n(240),
				Notes: "Phased delivery in three phases; phase 1 complete."},
			applications: []agreements.ApplicationInput{{Reference: "19/00412/FUL", Description: "Erection of 240 dwellings with access, open space and landscaping", DecisionDate: day(2019, 11, 20)}},
			agreements: []demoAgreement{{
				in: agreements.AgreementInput{Reference: "19/00412/S106", Type: "section-106", DateSigned: day(2019, 11, 14), Status: "live",
					DeedURL: "https://documents.wessexvale.example/s106/19-00412-S106.pdf", Notes: "Completed alongside the planning permission.",
					Parties: []agreements.PartyInput{{Role: "owner", Name: "Mill Lane Land Limited", CompanyNumber: "09876543"}, {Role: "developer", Name: "Harbour Homes plc", CompanyNumber: "01234567"}, {Role: "mortgagee", Name: "Wessex Mutual Bank"}}},
				applyRefs: []string{"19/00412/FUL"},
				obligations: []demoObligation{
					edu("612000", "£612,000", 50, day(2022, 3, 1)),
					{in: agreements.ObligationInput{Kind: "affordable-housing", PurposeCode: "affordable-housing", ClauseRef: "Sch 1 para 2",
						Description: "Provide 35% of dwellings (84) as affordable housing, 70% social rent and 30% shared ownership, transferred to a registered provider before more than 50% of the market dwellings are occupied.",
						TriggerType: "occupation-percent", TriggerQuantity: n(50), Units: n(84),
						ServiceArea: "Housing", ContactName: "Affordable Housing Team", ContactEmail: "housing.enabling@wessexvale.example"},
						events: []agreements.EventInput{{Kind: agreements.EventTriggerMet, Date: day(2023, 7, 12), Evidence: "Completion certificates for 78 of 156 market dwellings (50%)."}}},
					{in: agreements.ObligationInput{Kind: "works-in-kind", PurposeCode: "highways", ClauseRef: "Sch 4 para 1",
						Description: "Construct the new priority junction onto the B3090 before commencement of development above slab level.",
						TriggerType: "commencement", WorksDescription: "Priority junction and 2 m footway onto the B3090",
						ServiceArea: "Highways", ContactName: "Highways Development Control", ContactEmail: "highways.dc@wessexvale.example"},
						events: []agreements.EventInput{
							{Kind: agreements.EventTriggerMet, Date: day(2020, 6, 1), Evidence: "Commencement notice CN/2020/0611."},
							{Kind: agreements.EventDelivered, Date: day(2021, 3, 19), Evidence: "Highway adoption certificate S38/2021/004."}}},
					{in: agreements.ObligationInput{Kind: "financial", PurposeCode: "open-space-and-leisure", ClauseRef: "Sch 5 para 3",
						Description: "Pay the Open Space Maintenance Sum of £145,000 on transfer of the public open space to the council.",
						TriggerType: "other", TriggerDetail: "Transfer of the public open space to the council",
						BaseAmount: gbp("145000"), Index: "none", SpendByMonths: n(240), MaintenanceSum: true,
						OpenSpaceM2: gbp("18500"),
						ServiceArea: "Parks and Open Spaces", ContactName: "Parks Development Officer", ContactEmail: "parks@wessexvale.example"}},
					{in: agreements.ObligationInput{Kind: "monitoring-fee", PurposeCode: "monitoring-fees", ClauseRef: "cl. 9.2",
						Description: "Pay the council's S106 monitoring fee of £4,500 on completion of this deed.",
						TriggerType: "on-signing", BaseAmount: gbp("4500"), Index: "none",
						ServiceArea: "Planning", ContactName: "S106 Monitoring Officer", ContactEmail: "s106@wessexvale.example"},
						events: []agreements.EventInput{{Kind: agreements.EventTriggerMet, Date: day(2019, 11, 14), Evidence: "Deed completed."}}},
					{in: agreements.ObligationInput{Kind: "financial", PurposeCode: "health", ClauseRef: "Sch 3 para 4",
						Description: "Pay the Healthcare Contribution of £96,400 towards extending Vale Road Surgery before occupation of the 150th dwelling.",
						TriggerType: "occupation-count", TriggerQuantity: n(150), BaseAmount: gbp("96400"), Index: "cpi", BaseDate: day(2019, 10, 1),
						SpendByMonths: n(60), ReturnUnspent: true,
						ServiceArea: "Integrated Care Board", ContactName: "Estates Lead, Wessex ICB", ContactEmail: "estates@wessexicb.example"},
						events: []agreements.EventInput{{Kind: agreements.EventTriggerMet, Date: day(2022, 1, 20), Evidence: "Occupation of the 150th dwelling confirmed by council tax records."}}},
					{in: agreements.ObligationInput{Kind: "restriction", PurposeCode: "transport-and-travel", ClauseRef: "Sch 6",
						Description: "Not to occupy more than 100 dwellings until the Residential Travel Plan has been approved and implemented.",
						TriggerType: "occupation-count", TriggerQuantity: n(100),
						ServiceArea: "Transport Planning", ContactName: "Travel Plan Coordinator", ContactEmail: "travelplans@wessexvale.example"}},
				},
			}},
		},
		{
			in: agreements.DevelopmentInput{Name: "Station Yard", Address: "Former goods yard, Station Road, Wessex Vale", Postcode: "WV1 2BT", Ward: "Central", HomesProposed: n(120)},
			applications: []agreements.ApplicationInput{
				{Reference: "21/01177/OUT", Description: "Outline application for up to 120 dwellings and a community hall", DecisionDate: day(2022, 7, 6)},
				{Reference: "23/00088/REM", Description: "Reserved matters for phase 1 (64 dwellings)", DecisionDate: day(2023, 3, 2)},
			},
			agreements: []demoAgreement{
				{
					in: agreements.AgreementInput{Reference: "21/01177/S106", Type: "section-106", DateSigned: day(2022, 6, 30), Status: "live",
						DeedURL: "https://documents.wessexvale.example/s106/21-01177-S106.pdf",
						Parties: []agreements.PartyInput{{Role: "owner", Name: "Network Estates Limited", CompanyNumber: "04567890"}, {Role: "developer", Name: "Castlegate Living Limited", CompanyNumber: "11223344"}}},
					applyRefs: []string{"21/01177/OUT", "23/00088/REM"},
					obligations: []demoObligation{
						{in: agreements.ObligationInput{Kind: "financial", PurposeCode: "transport-and-travel", ClauseRef: "Sch 2 para 1",
							Description: "Pay the Sustainable Transport Contribution of £250,000 towards the Station Road bus priority scheme on commencement.",
							TriggerType: "commencement", BaseAmount: gbp("250000"), Index: "rpi", BaseDate: day(2021, 9, 1), PaymentDueDays: n(30), PaymentDueFrom: "trigger",
							SpendByMonths: n(84), ReturnUnspent: true,
							ServiceArea: "Transport Planning", ContactName: "Passenger Transport Manager", ContactEmail: "transport@wessexvale.example"},
							events: []agreements.EventInput{{Kind: agreements.EventTriggerMet, Date: day(2023, 5, 15), Evidence: "Commencement notice CN/2023/0215."}}},
						{in: agreements.ObligationInput{Kind: "affordable-housing", PurposeCode: "affordable-housing", ClauseRef: "Sch 1",
							Description: "Provide 30% affordable housing (36 dwellings): 24 affordable rent and 12 First Homes.",
							TriggerType: "occupation-percent", TriggerQuantity: n(60), Units: n(36),
							ServiceArea: "Housing", ContactName: "Affordable Housing Team", ContactEmail: "housing.enabling@wessexvale.example"}},
						{in: agreements.ObligationInput{Kind: "financial", PurposeCode: "community-facilities", ClauseRef: "Sch 3",
							Description: "Pay £80,000 towards fitting out the community hall, 12 months after completion of phase 1.",
							TriggerType: "months-after-event", TriggerQuantity: n(12), TriggerDetail: "completion of phase 1",
							BaseAmount: gbp("80000"), Index: "cpi", BaseDate: day(2022, 6, 1), SpendByMonths: n(120),
							ServiceArea: "Communities", ContactName: "Community Facilities Officer", ContactEmail: "communities@wessexvale.example"}},
						{in: agreements.ObligationInput{Kind: "other", PurposeCode: "economic-development", ClauseRef: "Sch 4",
							Description: "Submit and implement an Employment and Skills Plan, including 10 apprenticeships during construction, before commencement.",
							TriggerType: "commencement",
							ServiceArea: "Economic Development", ContactName: "Skills and Employment Officer", ContactEmail: "skills@wessexvale.example"},
							events: []agreements.EventInput{{Kind: agreements.EventTriggerMet, Date: day(2023, 5, 15), Evidence: "Commencement notice CN/2023/0215."}}},
						{in: agreements.ObligationInput{Kind: "financial", PurposeCode: "green-infrastructure", ClauseRef: "Sch 5",
							Description: "Pay £52,000 for off-site biodiversity net gain at Vale Meadows.",
							TriggerType: "commencement", BaseAmount: gbp("52000")}},
					},
				},
				{
					in: agreements.AgreementInput{Reference: "21/01177/DOV1", Type: "deed-of-variation", DateSigned: day(2024, 2, 12), Status: "completed",
						DeedURL:          "https://documents.wessexvale.example/s106/21-01177-DOV1.pdf",
						VariationSummary: "Changes the affordable housing tenure mix from 24 affordable rent and 12 First Homes to 26 social rent and 10 shared ownership.",
						Parties:          []agreements.PartyInput{{Role: "developer", Name: "Castlegate Living Limited", CompanyNumber: "11223344"}}},
					varies: "21/01177/S106",
					variations: []struct{ clause, change string }{
						{"Sch 1", "Tenure mix changed to 26 social rent and 10 shared ownership; delivery trigger unchanged."},
					},
				},
			},
		},
		{
			in:           agreements.DevelopmentInput{Name: "Orchard Farm", Address: "Orchard Farm, Church Lane, Little Bramley", Postcode: "WV9 4HD", Ward: "Bramley and Downs", HomesProposed: n(48)},
			applications: []agreements.ApplicationInput{{Reference: "23/00321/FUL", Description: "Erection of 48 dwellings", DecisionDate: day(2023, 9, 12)}},
			agreements: []demoAgreement{{
				in: agreements.AgreementInput{Reference: "23/00321/UU", Type: "unilateral-undertaking", DateSigned: day(2023, 9, 5), Status: "live",
					Parties: []agreements.PartyInput{{Role: "owner", Name: "Bramley Estates LLP", CompanyNumber: "OC412345"}}},
				applyRefs: []string{"23/00321/FUL"},
				obligations: []demoObligation{
					{in: agreements.ObligationInput{Kind: "financial", PurposeCode: "open-space-and-leisure", ClauseRef: "para 3",
						Description: "Pay £38,500 towards improving the Little Bramley play area before occupation of the 10th dwelling.",
						TriggerType: "occupation-count", TriggerQuantity: n(10), BaseAmount: gbp("38500"), Index: "cpi", BaseDate: day(2023, 8, 1),
						ServiceArea: "Parks and Open Spaces", ContactName: "Parks Development Officer", ContactEmail: "parks@wessexvale.example"},
						events: []agreements.EventInput{{Kind: agreements.EventTriggerMet, Date: day(2024, 3, 1), Evidence: "Occupation of the 10th dwelling (council tax records)."}}},
				},
			}},
		},
		{
			in:           agreements.DevelopmentInput{Name: "Riverside Quarter", Address: "Riverside industrial estate, Wharf Street, Wessex Vale", Postcode: "WV2 8RQ", Ward: "Riverside", HomesProposed: n(400)},
			applications: []agreements.ApplicationInput{{Reference: "25/00890/OUT", Description: "Outline application for up to 400 dwellings and 2,000 m² of commercial space"}},
			agreements: []demoAgreement{{
				in:        agreements.AgreementInput{Reference: "25/00890/S106", Type: "section-106", Status: "draft", Notes: "Heads of terms agreed; deed with the council's solicitors."},
				applyRefs: []string{"25/00890/OUT"},
			}},
		},
		{
			in:           agreements.DevelopmentInput{Name: "Kingsbridge Road junction", Address: "Kingsbridge Road / A352 junction", Postcode: "WV4 1KR", Ward: "Ashford North"},
			applications: []agreements.ApplicationInput{{Reference: "22/00567/FUL", Description: "Retail park extension", DecisionDate: day(2022, 8, 24)}},
			agreements: []demoAgreement{{
				in: agreements.AgreementInput{Reference: "22/HWY/014", Type: "section-278", DateSigned: day(2022, 10, 10), Status: "live",
					Parties: []agreements.PartyInput{{Role: "developer", Name: "Kingsbridge Retail Limited", CompanyNumber: "07654321"}}},
				applyRefs: []string{"22/00567/FUL"},
				obligations: []demoObligation{
					{in: agreements.ObligationInput{Kind: "works-in-kind", PurposeCode: "highways", ClauseRef: "cl. 4",
						Description: "Signalise the Kingsbridge Road / A352 junction to the council's specification before the extension opens.",
						TriggerType: "other", TriggerDetail: "Opening of the retail park extension",
						WorksDescription: "Signalised junction with pedestrian crossings on all arms",
						ServiceArea:      "Highways", ContactName: "Highways Development Control", ContactEmail: "highways.dc@wessexvale.example"}},
				},
			}},
		},
	}
}

// demoRegisterLoaded reports whether the register demo is already in.
func demoRegisterLoaded(ctx context.Context, db *store.DB) (bool, error) {
	var ok bool
	err := db.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM agreements WHERE reference = '19/00412/S106')`).Scan(&ok)
	return ok, err
}

func loadDemoRegister(ctx context.Context, db *store.DB, officerID int64, now func() time.Time) error {
	loaded, err := demoRegisterLoaded(ctx, db)
	if err != nil || loaded {
		return err
	}
	svc := &agreements.Service{DB: db, Now: now}
	agreementIDs := map[string]int64{}
	for _, dd := range demoRegister() {
		dev, err := svc.RecordDevelopment(ctx, seedActor, dd.in)
		if err != nil {
			return fmt.Errorf("demo development %s: %w", dd.in.Name, err)
		}
		appIDs := map[string]int64{}
		for _, ai := range dd.applications {
			a, err := svc.RecordApplication(ctx, seedActor, dev.ID, ai)
			if err != nil {
				return fmt.Errorf("demo application %s: %w", ai.Reference, err)
			}
			appIDs[ai.Reference] = a.ID
		}
		for _, da := range dd.agreements {
			in := da.in
			in.DevelopmentID = dev.ID
			in.ResponsibleOfficerID = &officerID
			for _, ref := range da.applyRefs {
				in.ApplicationIDs = append(in.ApplicationIDs, appIDs[ref])
			}
			if da.varies != "" {
				id := agreementIDs[da.varies]
				in.VariesAgreementID = &id
			}
			for len(in.Parties) < agreements.PartyRows {
				in.Parties = append(in.Parties, agreements.PartyInput{})
			}
			a, err := svc.RecordAgreement(ctx, seedActor, in)
			if err != nil {
				return fmt.Errorf("demo agreement %s: %w", in.Reference, err)
			}
			agreementIDs[in.Reference] = a.ID
			for _, do := range da.obligations {
				o, err := svc.RecordObligation(ctx, seedActor, a.ID, do.in)
				if err != nil {
					return fmt.Errorf("demo obligation %s %s: %w", in.Reference, do.in.ClauseRef, err)
				}
				for _, ev := range do.events {
					if _, err := svc.RecordEvent(ctx, seedActor, o.ID, ev); err != nil {
						return fmt.Errorf("demo event on %s %s: %w", in.Reference, do.in.ClauseRef, err)
					}
				}
			}
			for _, v := range da.variations {
				var obligationID int64
				err := db.Pool.QueryRow(ctx, `SELECT id FROM obligations WHERE agreement_id = $1 AND clause_ref = $2`, *in.VariesAgreementID, v.clause).Scan(&obligationID)
				if err != nil {
					return fmt.Errorf("demo variation of %s: %w", v.clause, err)
				}
				if _, err := svc.RecordVariation(ctx, seedActor, a.ID, obligationID, v.change); err != nil {
					return fmt.Errorf("demo variation of %s: %w", v.clause, err)
				}
			}
		}
	}
	return nil
}
