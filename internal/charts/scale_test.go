package charts

import (
	"testing"

	"github.com/shopspring/decimal"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func TestNiceScaleRoundsTheAxisUpToARoundStep(t *testing.T) {
	for _, c := range []struct {
		max       string
		unit      Unit
		top, step string
		steps     int
	}{
		{"19000", Money, "20000", "5000", 4},  // raw step 3,800 → 5,000
		{"39000", Money, "40000", "10000", 4}, // raw 7,800 → 10,000
		{"1234567.89", Money, "1250000", "250000", 5},
		{"12", Money, "12.5", "2.5", 5},
		{"3", Count, "3", "1", 3}, // counts never step by less than 1
		{"0", Money, "5", "1", 5}, // an empty chart still has an axis
	} {
		s := NiceScale(d(c.max), 5, c.unit)
		if !s.Max.Equal(d(c.top)) || !s.Step.Equal(d(c.step)) || s.Steps != c.steps {
			t.Errorf("NiceScale(%s) = %s step %s × %d, want %s step %s × %d", c.max, s.Max, s.Step, s.Steps, c.top, c.step, c.steps)
		}
	}
}

func TestLayoutStacksSeriesFromTheZeroLine(t *testing.T) {
	c := BarChart{ID: "t", Categories: []string{"A", "B"}, Unit: Money, Series: []Series{
		{Name: "Red", Class: "red", Values: []decimal.Decimal{d("10000"), d("0")}},
		{Name: "Green", Class: "green", Values: []decimal.Decimal{d("10000"), d("5000")}},
	}}
	l := c.Layout()
	// Top of the axis is 20,000 (4 steps of 5,000); the plot is 320 - 12 - 56 = 252 high.
	if len(l.Ticks) != 5 || l.Ticks[4].Label != "£20k" || l.Ticks[0].Label != "£0" {
		t.Fatalf("ticks %+v", l.Ticks)
	}
	a := l.Bars[0].Segments
	if len(a) != 2 || a[0].H != 126 || a[0].Y != 264-126 || a[1].Y != 264-252 || a[0].Class != "red" {
		t.Errorf("bar A %+v", a)
	}
	if b := l.Bars[1].Segments; len(b) != 1 || b[0].Class != "green" || b[0].H != 63 || b[0].Label != "Green, B: £5,000.00" {
		t.Errorf("bar B %+v", b)
	}
	if !c.Grand().Equal(d("25000")) || c.Empty() {
		t.Errorf("grand total %s", c.Grand())
	}
}

func TestCompactMoneyLabels(t *testing.T) {
	c := BarChart{Unit: Money}
	for in, want := range map[string]string{"0": "£0", "2500": "£2.5k", "1500000": "£1.5m", "250": "£250", "1250000": "£1.25m"} {
		if got := c.Compact(d(in)); got != want {
			t.Errorf("Compact(%s) = %q, want %q", in, got, want)
		}
	}
	if got := (BarChart{Unit: Count}).Format(d("12345")); got != "12,345" {
		t.Errorf("count format %q", got)
	}
}

func TestCategoryLabelsFitAndNeverTouchAtEitherWidth(t *testing.T) {
	months := make([]string, 36)
	for i := range months {
		months[i] = []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}[i%12] + " 2027"
	}
	charts := map[string][]string{
		"timeline": months,
		"purposes": {"Affordable housing", "Education", "Health", "Highways and transport", "Open space and leisure", "Community facilities",
			"Public realm", "Monitoring fees", "Economic development and employment", "Other"},
		"tenures": {"Social rent", "Affordable rent", "Shared ownership", "First Homes"},
		"three":   {"Social rent", "Affordable rent", "Shared ownership"},
		"two":     {"Social rent", "Shared ownership"},
		"one":     {"A single, rather long category label that needs the whole chart"},
	}
	for name, cats := range charts {
		c := BarChart{Categories: cats, Unit: Money, Series: []Series{{Name: "S", Class: "green", Values: make([]decimal.Decimal, len(cats))}}}
		for _, l := range []Layout{c.Layout(), c.NarrowLayout()} {
			type span struct{ left, right float64 }
			var shown []span
			for _, b := range l.Bars {
				if len(b.LabelLines) == 0 {
					continue
				}
				w := 0.0
				for _, line := range b.LabelLines {
					w = max(w, textWidth(line, l.FontSize))
				}
				s := span{b.LabelX - w/2, b.LabelX + w/2}
				if s.left < 0 || s.right > l.Width {
					t.Errorf("%s at %v: label %q runs off the chart (%.0f–%.0f)", name, l.Width, b.Category, s.left, s.right)
				}
				if len(shown) > 0 && shown[len(shown)-1].right+labelGap > s.left+0.01 {
					t.Errorf("%s at %v: label %q touches the one before", name, l.Width, b.Category)
				}
				shown = append(shown, s)
			}
			if len(shown) == 0 {
				t.Errorf("%s at %v: no label shown", name, l.Width)
			}
			if l.LabelY(maxLabelRows-1) > l.Height {
				t.Errorf("%s at %v: labels fall below the chart", name, l.Width)
			}
		}
	}
}
