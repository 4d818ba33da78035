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
	plotBottom   = 56.0 // room for the category labels (at least)
	barGapFactor = 0.25 // the share of a slot left empty between bars
	labelGap     = 8.0  // the least space between two category labels
	maxLabelRows = 3    // a category label wraps onto at most this many lines

	// FontSize is the text size of the wide chart, in user units: 12 px
	// where the chart is 720 px wide, 16 px on a desktop's 960.
	FontSize = 12.0

	// NarrowWidth and NarrowFontSize are the chart drawn for phones: a
	// 320 px screen shows it about 290 px wide, so its text is about 12 px
	// (the wide chart's would be under 5 px).
	NarrowWidth    = 340.0
	NarrowHeight   = 300.0
	NarrowFontSize = 14.0
)

// charWidth is the width of an average character of Arial as a share of the
// font size, rounded up so estimates err on the side of room.
const charWidth = 0.6

// textWidth estimates the width of s set at size.
func textWidth(s string, size float64) float64 {
	return float64(len([]rune(s))) * size * charWidth
}

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
	Category   string
	LabelX     float64  // the centre, where its label goes
	LabelLines []string // the label, wrapped; none when it is not shown
	Segments   []Segment
}

// Layout is the chart in SVG coordinates.
type Layout struct {
	Width, Height       float64
	FontSize            float64
	PlotLeft, PlotRight float64
	PlotTop, PlotBottom float64 // PlotBottom is the y of the zero line
	Ticks               []Tick
	Bars                []Bar
	LabelEvery          int // label every nth category so labels do not overlap
	LineHeight          float64
	ValueAxisLabel      string
}

// Layout works out where each bar, segment and tick goes on the wide chart.
func (c BarChart) Layout() Layout { return c.LayoutAt(Width, Height, FontSize) }

// NarrowLayout is the chart drawn for phones (see NarrowWidth).
func (c BarChart) NarrowLayout() Layout { return c.LayoutAt(NarrowWidth, NarrowHeight, NarrowFontSize) }

// LayoutAt lays the chart out in a width × height box with text of size
// fontSize. Category labels wrap at spaces; every nth is shown, with n as
// small as lets each label's longest word fit and no two labels touch.
func (c BarChart) LayoutAt(width, height, fontSize float64) Layout {
	l := Layout{Width: width, Height: height, FontSize: fontSize, LineHeight: round1(fontSize * 1.25),
		PlotLeft: math.Ceil(textWidth("£1.25m", fontSize) + 10), PlotRight: width - plotRight, PlotTop: plotTop, LabelEvery: 1}
	n := len(c.Categories)
	slot := 0.0
	var lines [][]string
	if n > 0 {
		slot = (l.PlotRight - l.PlotLeft) / float64(n)
		// A label is centred under its bar: it has the room to the next
		// label shown, and no more than twice the room to the nearer edge.
		roomFor := func(every int) func(i int) float64 {
			return func(i int) float64 {
				x := l.PlotLeft + slot*(float64(i)+0.5)
				return min(slot*float64(every)-labelGap, 2*x, 2*(width-x))
			}
		}
		for l.LabelEvery = 1; l.LabelEvery <= n; l.LabelEvery++ {
			if lines = wrapLabels(c.Categories, l.LabelEvery, roomFor(l.LabelEvery), fontSize); lines != nil {
				break
			}
		}
	}
	rows := 1
	for _, ls := range lines {
		rows = max(rows, len(ls))
	}
	l.PlotBottom = height - max(plotBottom, 24+float64(rows)*l.LineHeight)

	top := decimal.Zero
	for _, t := range c.Totals() {
		if t.GreaterThan(top) {
			top = t
		}
	}
	sc := NiceScale(top, 5, c.Unit)
	plotH := l.PlotBottom - l.PlotTop
	topValue := sc.Max.InexactFloat64()
	y := func(v decimal.Decimal) float64 { return v.InexactFloat64() / topValue * plotH }
	for i := 0; i <= sc.Steps; i++ {
		v := sc.Step.Mul(decimal.NewFromInt(int64(i)))
		l.Ticks = append(l.Ticks, Tick{Y: round1(l.PlotBottom - y(v)), Label: c.Compact(v)})
	}
	if n == 0 {
		return l
	}
	w := slot * (1 - barGapFactor)
	for i, cat := range c.Categories {
		x := l.PlotLeft + slot*float64(i) + (slot-w)/2
		b := Bar{Category: cat, LabelX: round1(l.PlotLeft + slot*float64(i) + slot/2)}
		if i%l.LabelEvery == 0 && lines != nil {
			b.LabelLines = lines[i]
		}
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

// LabelY is the baseline of a category label's line i.
func (l Layout) LabelY(i int) float64 {
	return round1(l.PlotBottom + l.FontSize + 6 + float64(i)*l.LineHeight)
}

// wrapLabels breaks every nth label into lines no wider than room(i), or
// returns nil when a word does not fit or a label needs more than
// maxLabelRows.
func wrapLabels(labels []string, every int, roomFor func(i int) float64, size float64) [][]string {
	out := make([][]string, len(labels))
	for i, label := range labels {
		if i%every != 0 {
			continue
		}
		room := roomFor(i)
		var lines []string
		line := ""
		for _, word := range strings.Fields(label) {
			if textWidth(word, size) > room {
				return nil
			}
			if line != "" && textWidth(line+" "+word, size) <= room {
				line += " " + word
				continue
			}
			if line != "" {
				lines = append(lines, line)
			}
			line = word
		}
		if line != "" {
			lines = append(lines, line)
		}
		if len(lines) > maxLabelRows {
			return nil
		}
		out[i] = lines
	}
	return out
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
