package charts

import (
	"math"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/money"
)

// Geometry of the SVG in user units; the SVG scales to its container.
const (
	Width        = 720.0
	Height       = 320.0
	plotLeft     = 72.0 // room for the value axis labels
	plotRight    = 8.0
	plotTop      = 12.0
	plotBottom   = 56.0 // room for the category labels
	barGapFactor = 0.25 // the share of a slot left empty between bars
	minLabelGap  = 70.0 // the room a category label needs
)

// Totals are the stacked height of each category: the sum of its series.
func (c BarChart) Totals() []decimal.Decimal {
	out := make([]decimal.Decimal, len(c.Categories))
	for _, s := range c.Series {
		for i := range out {
			if i < len(s.Values) {
				out[i] = out[i].Add(s.Values[i])
			}
		}
	}
	return out
}

// SeriesTotal is the sum of one series across every category.
func (s Series) Total() decimal.Decimal {
	t := decimal.Zero
	for _, v := range s.Values {
		t = t.Add(v)
	}
	return t
}

// Value is the series' value for category i (zero when missing).
func (s Series) Value(i int) decimal.Decimal {
	if i < len(s.Values) {
		return s.Values[i]
	}
	return decimal.Zero
}

// Empty reports whether the chart has nothing to draw: no categories or
// every value zero.
func (c BarChart) Empty() bool {
	for _, t := range c.Totals() {
		if t.IsPositive() {
			return false
		}
	}
	return true
}

// Scale is the value axis: from zero to Max in Steps equal steps.
type Scale struct {
	Max   decimal.Decimal
	Step  decimal.Decimal
	Steps int
}

// NiceScale picks a value axis that starts at zero, reaches at least max
// and has about target steps of a round size (1, 2, 2.5 or 5 times a power
// of ten; whole numbers for counts).
func NiceScale(max decimal.Decimal, target int, unit Unit) Scale {
	if target < 1 {
		target = 5
	}
	if !max.IsPositive() {
		return Scale{Max: decimal.NewFromInt(int64(target)), Step: decimal.NewFromInt(1), Steps: target}
	}
	raw := max.Div(decimal.NewFromInt(int64(target)))
	// The power of ten at or below the raw step.
	exp := int32(math.Floor(math.Log10(raw.InexactFloat64())))
	pow := decimal.New(1, exp)
	var step decimal.Decimal
	for _, m := range []string{"1", "2", "2.5", "5", "10"} {
		step = decimal.RequireFromString(m).Mul(pow)
		if step.GreaterThanOrEqual(raw) {
			break
		}
	}
	if unit == Count && step.LessThan(decimal.NewFromInt(1)) {
		step = decimal.NewFromInt(1)
	}
	steps := int(max.Div(step).Ceil().IntPart())
	if steps < 1 {
		steps = 1
	}
	return Scale{Max: step.Mul(decimal.NewFromInt(int64(steps))), Step: step, Steps: steps}
}

// Tick is one labelled line across the plot.
type Tick struct {
	Y     float64
	Label string
}

// Segment is one series' part of one bar.
type Segment struct {
	X, Y, W, H float64
	Class      string
	Label      string // "Red, March 2027: £10,000.00", for the SVG's <title>
}

// Bar is one category's stack.
type Bar struct {
	Category string
	LabelX   float64 // the centre, where its label goes
	Segments []Segment
}

// Layout is the chart in SVG coordinates.
type Layout struct {
	Width, Height       float64
	PlotLeft, PlotRight float64
	PlotTop, PlotBottom float64 // PlotBottom is the y of the zero line
	Ticks               []Tick
	Bars                []Bar
	LabelEvery          int // label every nth category so labels do not overlap
	ValueAxisLabel      string
}

// Layout works out where each bar, segment and tick goes.
func (c BarChart) Layout() Layout {
	l := Layout{Width: Width, Height: Height, PlotLeft: plotLeft, PlotRight: Width - plotRight,
		PlotTop: plotTop, PlotBottom: Height - plotBottom, LabelEvery: 1}
	max := decimal.Zero
	for _, t := range c.Totals() {
		if t.GreaterThan(max) {
			max = t
		}
	}
	sc := NiceScale(max, 5, c.Unit)
	plotH := l.PlotBottom - l.PlotTop
	top := sc.Max.InexactFloat64()
	y := func(v decimal.Decimal) float64 { return v.InexactFloat64() / top * plotH }
	for i := 0; i <= sc.Steps; i++ {
		v := sc.Step.Mul(decimal.NewFromInt(int64(i)))
		l.Ticks = append(l.Ticks, Tick{Y: round1(l.PlotBottom - y(v)), Label: c.Compact(v)})
	}
	n := len(c.Categories)
	if n == 0 {
		return l
	}
	slot := (l.PlotRight - l.PlotLeft) / float64(n)
	w := slot * (1 - barGapFactor)
	// A label such as "Nov 2026" needs about 70 units: label every nth
	// category so they never touch.
	l.LabelEvery = int(math.Ceil(minLabelGap / slot))
	if l.LabelEvery < 1 {
		l.LabelEvery = 1
	}
	for i, cat := range c.Categories {
		x := l.PlotLeft + slot*float64(i) + (slot-w)/2
		b := Bar{Category: cat, LabelX: round1(l.PlotLeft + slot*float64(i) + slot/2)}
		base := l.PlotBottom
		for _, s := range c.Series {
			v := s.Value(i)
			if !v.IsPositive() {
				continue
			}
			h := y(v)
			base -= h
			b.Segments = append(b.Segments, Segment{X: round1(x), Y: round1(base), W: round1(w), H: round1(h), Class: s.Class,
				Label: s.Name + ", " + cat + ": " + c.Format(v)})
		}
		l.Bars = append(l.Bars, b)
	}
	return l
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }

// Format writes a value in full: £1,234.56 or 1,234.
func (c BarChart) Format(v decimal.Decimal) string {
	if c.Unit == Money {
		return money.Format(v)
	}
	return groupThousands(v.Round(0).String())
}

// Compact writes an axis value briefly: £0, £250k, £1.5m; counts as 1,200.
func (c BarChart) Compact(v decimal.Decimal) string {
	if c.Unit != Money {
		return groupThousands(v.Round(0).String())
	}
	million, thousand := decimal.NewFromInt(1_000_000), decimal.NewFromInt(1000)
	switch {
	case v.Abs().GreaterThanOrEqual(million):
		return "£" + trimZeros(v.Div(million).StringFixed(2)) + "m"
	case v.Abs().GreaterThanOrEqual(thousand):
		return "£" + trimZeros(v.Div(thousand).StringFixed(1)) + "k"
	}
	return "£" + trimZeros(v.StringFixed(2))
}

func trimZeros(s string) string {
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

func groupThousands(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// Coord writes an SVG coordinate.
func Coord(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// Grand is the sum of every value in the chart.
func (c BarChart) Grand() decimal.Decimal {
	t := decimal.Zero
	for _, s := range c.Series {
		t = t.Add(s.Total())
	}
	return t
}
