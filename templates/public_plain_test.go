package templates

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/public"
)

// fleschKincaidGrade is the Flesch–Kincaid grade level of text:
// 0.39 × words per sentence + 11.8 × syllables per word − 15.59. A grade
// of 9 is a reading age of about 14, the level the GOV.UK style guide
// and the NHS aim public information at.
func fleschKincaidGrade(text string) float64 {
	sentences := len(regexp.MustCompile(`[.!?]+(\s|$)`).FindAllString(text, -1))
	if sentences == 0 {
		sentences = 1
	}
	words, syllables := 0, 0
	for _, w := range regexp.MustCompile(`[A-Za-z]+`).FindAllString(text, -1) {
		words++
		syllables += countSyllables(w)
	}
	if words == 0 {
		return 0
	}
	return 0.39*float64(words)/float64(sentences) + 11.8*float64(syllables)/float64(words) - 15.59
}

// countSyllables counts vowel groups, less a silent final e: the usual
// rough count, good enough to compare texts.
func countSyllables(w string) int {
	w = strings.ToLower(w)
	n, prev := 0, false
	for _, r := range w {
		v := strings.ContainsRune("aeiouy", r)
		if v && !prev {
			n++
		}
		prev = v
	}
	if strings.HasSuffix(w, "e") && !strings.HasSuffix(w, "le") && n > 1 {
		n--
	}
	if n == 0 {
		n = 1
	}
	return n
}

func TestFleschKincaidOfKnownTexts(t *testing.T) {
	// "The cat sat on the mat." is 6 one-syllable words: 0.39×6 + 11.8 − 15.59.
	if g := fleschKincaidGrade("The cat sat on the mat."); g < -1.5 || g > -1.4 {
		t.Errorf("grade %.2f", g)
	}
	hard := "Notwithstanding the aforementioned contributions, the developer's indexation obligations crystallise upon commencement of development."
	if g := fleschKincaidGrade(hard); g < 15 {
		t.Errorf("a deed's sentence scores %.1f, want a graduate's grade", g)
	}
}

// TestPublicWordsAreEasyToRead checks the reading age of what the public
// pages say in their own words: every plain-words sentence an obligation
// can produce, and the glossary. Together they must read at grade 6 (a
// reading age of about 11); no single text above grade 11 (one short
// definition with a long word such as "association" scores high on its
// own). The clause as written in the deed is shown too, but it is the
// deed's text, not ours.
func TestPublicWordsAreEasyToRead(t *testing.T) {
	amount := decimal.RequireFromString("287500")
	q := 150
	date := time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC)
	var texts []string
	for _, kind := range []string{"financial", "affordable-housing", "works-in-kind", "restriction", "monitoring-fee", "other"} {
		for _, trigger := range []string{"", "on-signing", "commencement", "occupation-count", "occupation-percent", "phase-completion", "fixed-date", "months-after-event"} {
			for _, status := range []string{"pending", "triggered", "part-paid", "part-spent", "spent", "discharged", "returned"} {
				o := public.Obligation{Kind: kind, Purpose: "Education", Amount: &amount, Status: status, Received: amount, Spent: amount,
					TriggerType: trigger, TriggerQuantity: &q, TriggerDate: &date}
				texts = append(texts, PlainObligation(o))
			}
		}
	}
	for _, g := range Glossary {
		texts = append(texts, g.Meaning)
	}
	worst, worstText := -100.0, ""
	for _, text := range texts {
		if g := fleschKincaidGrade(text); g > worst {
			worst, worstText = g, text
		}
	}
	const maxGrade = 11
	if worst > maxGrade {
		t.Errorf("one text scores reading grade %.1f (over %d): %q", worst, maxGrade, worstText)
	}
	all := strings.Join(texts, " ")
	if g := fleschKincaidGrade(all); g > 6 {
		t.Errorf("the public words together score grade %.1f, want 6 or under (a reading age of about 11)", g)
	}
}
