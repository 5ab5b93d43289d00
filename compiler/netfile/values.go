package netfile

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// This file reads single values: integers, floats, strings and lists, each
// checked for its type and range, with an error at the value's position that
// says what was expected and what was found.

const (
	maxSize  = 1 << 24 // neurons or channels in one population
	maxInt32 = math.MaxInt32
)

// quote quotes a name or value for a message.
func quote(s string) string { return strconv.Quote(s) }

// clip shortens a value copied into a message.
func clip(s string) string {
	const n = 40
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// describe names what a node is, for "got ..." in messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.DocumentNode:
		return "a document"
	}
	v := clip(n.Value)
	switch n.ShortTag() {
	case "!!null":
		return "nothing (null)"
	case "!!str":
		return "the string " + quote(v)
	case "!!bool":
		return v + " (a boolean)"
	case "!!int", "!!float":
		return v
	}
	return fmt.Sprintf("%s %s", n.Tag, quote(v))
}

// isNumber says whether a scalar is a number as YAML or JSON reads it.
func isNumber(n *yaml.Node) bool {
	t := n.ShortTag()
	return n.Kind == yaml.ScalarNode && (t == "!!int" || t == "!!float")
}

var (
	// intSyntax is an integer as a network file may write it: decimal, or
	// with an explicit 0x, 0o or 0b prefix; '_' may group digits.
	intSyntax = regexp.MustCompile(`^[-+]?(0|[1-9][0-9_]*|0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+)$`)
	// leadingZero is a decimal written with a leading zero, which YAML 1.1
	// readers take as octal.
	leadingZero = regexp.MustCompile(`^[-+]?0[0-9_]+$`)
	// floatSyntax is a number with a fraction or an exponent.
	floatSyntax = regexp.MustCompile(`^[-+]?([0-9][0-9_]*)?(\.[0-9_]*)?([eE][-+]?[0-9]+)?$`)
)

// looksNumeric says whether s is written like a number.
func looksNumeric(s string) bool {
	return (intSyntax.MatchString(s) || floatSyntax.MatchString(s)) && strings.ContainsAny(s, "0123456789")
}

// plainDecimal says whether s is a decimal integer with an optional sign and
// no leading zero.
func plainDecimal(s string) bool {
	i := 0
	if len(s) > 0 && (s[0] == '-' || s[0] == '+') {
		i++
	}
	if i == len(s) || s[i] == '0' && len(s) > i+1 {
		return false
	}
	for ; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// typeError reports that n is not the kind of value what needs.
func (p *parser) typeError(n *yaml.Node, what, want string) {
	hint := ""
	switch {
	case n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str" && n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 &&
		looksNumeric(n.Value):
		hint = "; remove the quotes"
	case n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null":
		hint = "; give a value or remove the field"
	}
	p.errorf(n, "%s must be %s; got %s%s", what, want, describe(n), hint)
}

// integer reads n as an integer in lo..hi. It reports an error and returns
// false if n is not an integer (a string, a fraction, a list...) or is out of
// range; it never wraps around.
func (p *parser) integer(n *yaml.Node, what string, lo, hi int64) (int64, bool) {
	n, ok := p.resolve(n)
	if !ok {
		return 0, false
	}
	want := fmt.Sprintf("an integer in %d..%d", lo, hi)
	if !isNumber(n) {
		p.typeError(n, what, want)
		return 0, false
	}
	s := n.Value
	if plainDecimal(s) { // the common case, without the regexps below
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil || v < lo || v > hi {
			p.errorf(n, "%s must be in %d..%d; got %s", what, lo, hi, clip(s))
			return 0, false
		}
		return v, true
	}
	if leadingZero.MatchString(s) {
		p.errorf(n, "%s %s has a leading zero, which some YAML readers take as octal; write it without the zero, or as 0o%s for octal",
			what, s, strings.TrimLeft(strings.TrimLeft(s, "+-"), "0_"))
		return 0, false
	}
	if !intSyntax.MatchString(s) {
		if f, err := strconv.ParseFloat(strings.ReplaceAll(s, "_", ""), 64); err == nil && looksNumeric(s) {
			if f == math.Trunc(f) && math.Abs(f) < 1e15 {
				p.errorf(n, "%s must be %s; got %s: write integers without a decimal point or exponent, as %d", what, want, clip(s), int64(f))
			} else {
				p.errorf(n, "%s must be %s; got %s, which is not a whole number", what, want, clip(s))
			}
		} else {
			p.errorf(n, "%s must be %s; got %s", what, want, clip(s))
		}
		return 0, false
	}
	v, err := strconv.ParseInt(s, 0, 64)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) {
			p.errorf(n, "%s must be in %d..%d; got %s", what, lo, hi, clip(s))
		} else {
			p.errorf(n, "%s must be %s; got %s, which is not a valid integer", what, want, clip(s))
		}
		return 0, false
	}
	if v < lo || v > hi {
		p.errorf(n, "%s must be in %d..%d; got %s", what, lo, hi, clip(s))
		return 0, false
	}
	return v, true
}

// int32In is integer for fields stored as int32 (lo and hi fit in int32).
func (p *parser) int32In(n *yaml.Node, what string, lo, hi int32) (int32, bool) {
	v, ok := p.integer(n, what, int64(lo), int64(hi))
	return int32(v), ok
}

// seed reads a random seed: any integer in 0..2^64-1.
func (p *parser) seed(n *yaml.Node, what string) (uint64, bool) {
	n, ok := p.resolve(n)
	if !ok {
		return 0, false
	}
	want := fmt.Sprintf("an integer in 0..%d", uint64(math.MaxUint64))
	if !isNumber(n) {
		p.typeError(n, what, want)
		return 0, false
	}
	s := n.Value
	if leadingZero.MatchString(s) || !intSyntax.MatchString(s) {
		p.errorf(n, "%s must be %s (decimal, no leading zero); got %s", what, want, clip(s))
		return 0, false
	}
	if strings.HasPrefix(s, "-") {
		if v, err := strconv.ParseInt(s, 0, 64); err == nil && v == 0 {
			return 0, true
		}
		p.errorf(n, "%s must be in 0..%d; got %s", what, uint64(math.MaxUint64), clip(s))
		return 0, false
	}
	v, err := strconv.ParseUint(strings.TrimPrefix(s, "+"), 0, 64)
	if err != nil {
		p.errorf(n, "%s must be in 0..%d; got %s", what, uint64(math.MaxUint64), clip(s))
		return 0, false
	}
	return v, true
}

// number reads a finite float (an integer is fine too).
func (p *parser) number(n *yaml.Node, what string) (float64, bool) {
	n, ok := p.resolve(n)
	if !ok {
		return 0, false
	}
	if !isNumber(n) {
		p.typeError(n, what, "a number")
		return 0, false
	}
	s := strings.ReplaceAll(n.Value, "_", "")
	v, err := strconv.ParseFloat(s, 64)
	if err != nil && intSyntax.MatchString(n.Value) {
		// 0x, 0o and 0b integers.
		if iv, ierr := strconv.ParseInt(n.Value, 0, 64); ierr == nil {
			v, err = float64(iv), nil
		}
	}
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		p.errorf(n, "%s must be a finite number; got %s", what, clip(n.Value))
		return 0, false
	}
	return v, true
}

// str reads a string. Numbers, booleans and null are not strings: a name
// written as 12 is an error (quote it), never converted.
func (p *parser) str(n *yaml.Node, what string) (string, bool) {
	n, ok := p.resolve(n)
	if !ok {
		return "", false
	}
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
		want := "a string"
		if n.Kind == yaml.ScalarNode && n.ShortTag() != "!!null" {
			want = "a string (quote it if it looks like a number or a boolean)"
		}
		p.typeError(n, what, want)
		return "", false
	}
	return n.Value, true
}

// list reads a sequence and returns its items (aliases not yet resolved).
// want describes the expected list for the message.
func (p *parser) list(n *yaml.Node, what, want string) ([]*yaml.Node, bool) {
	n, ok := p.resolve(n)
	if !ok {
		return nil, false
	}
	if n.Kind != yaml.SequenceNode {
		p.typeError(n, what, want)
		return nil, false
	}
	return n.Content, true
}

var nameSyntax = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.-]*$`)

// ident reads a population, input or projection name.
func (p *parser) ident(n *yaml.Node, what string) (string, bool) {
	s, ok := p.str(n, what)
	if !ok {
		return "", false
	}
	if !nameSyntax.MatchString(s) {
		n, _ = p.resolve(n)
		if s == "" {
			p.errorf(n, "%s is empty; give a name such as exc", what)
		} else {
			p.errorf(n, "%s %s is not a valid name: start with a letter or '_' and use only letters, digits, '_', '.' and '-'", what, quote(clip(s)))
		}
		return "", false
	}
	return s, true
}

// dtSyntax is a timestep: a decimal number, then a unit.
var dtSyntax = regexp.MustCompile(`^([0-9]+)(?:\.([0-9]*))?(?:[eE]([-+]?[0-9]+))?\s*(.*)$`)

// dtUnits maps each unit to its power of ten in picoseconds.
var dtUnits = map[string]int{"s": 12, "ms": 9, "us": 6, "µs": 6, "μs": 6, "ns": 3, "ps": 0}

// dt reads the timestep, such as "1ms" or "0.5 ms", into picoseconds. The
// conversion is exact: a value that is not a whole number of picoseconds is
// an error, not rounded.
func (p *parser) dt(n *yaml.Node) (int64, bool) { return p.duration(n, "dt", false) }

// duration reads a time such as "1ms" or "0.5 ms" into picoseconds, exactly,
// for field what (dt, tau_mem...). zero says whether 0 is allowed.
func (p *parser) duration(n *yaml.Node, what string, zero bool) (int64, bool) {
	n, ok := p.resolve(n)
	if !ok {
		return 0, false
	}
	const want = "a number with a unit (s, ms, us, ns or ps), such as 1ms"
	if isNumber(n) {
		p.errorf(n, "%s needs a unit, e.g. 1ms; got %s with no unit (units: s, ms, us, ns, ps)", what, clip(n.Value))
		return 0, false
	}
	s, ok := p.str(n, what)
	if !ok {
		return 0, false
	}
	s = strings.TrimSpace(s)
	positive := "greater than 0"
	if zero {
		positive = "0 or more"
	}
	if strings.HasPrefix(s, "-") {
		p.errorf(n, "%s must be %s; got %s", what, positive, quote(clip(s)))
		return 0, false
	}
	m := dtSyntax.FindStringSubmatch(s)
	if m == nil {
		p.errorf(n, "%s must be %s; got %s", what, want, quote(clip(s)))
		return 0, false
	}
	intPart, frac, expText, unit := m[1], m[2], m[3], m[4]
	if unit == "" {
		p.errorf(n, "%s needs a unit, e.g. 1ms; got %s with no unit (units: s, ms, us, ns, ps)", what, quote(clip(s)))
		return 0, false
	}
	shift, ok := dtUnits[unit]
	if !ok {
		p.errorf(n, "unknown unit %s in %s%s (units: s, ms, us or µs, ns, ps)", quote(clip(unit)), what, didYouMean(unit, []string{"s", "ms", "us", "ns", "ps"}))
		return 0, false
	}
	exp := 0
	if expText != "" {
		e, err := strconv.Atoi(expText)
		if err != nil || e < -100 || e > 100 {
			p.errorf(n, "%s %s is out of range; it must be between 1ps and about 106 days", what, quote(clip(s)))
			return 0, false
		}
		exp = e
	}
	// value = digits × 10^pow10 picoseconds.
	digits := strings.TrimLeft(intPart+frac, "0")
	pow10 := exp - len(frac) + shift
	for strings.HasSuffix(digits, "0") {
		digits = digits[:len(digits)-1]
		pow10++
	}
	if digits == "" {
		if zero {
			return 0, true
		}
		p.errorf(n, "%s must be %s; got %s", what, positive, quote(clip(s)))
		return 0, false
	}
	if pow10 < 0 {
		p.errorf(n, "%s %s is not a whole number of picoseconds; times are stored in integer ps", what, quote(clip(s)))
		return 0, false
	}
	v, err := strconv.ParseInt(digits+strings.Repeat("0", min(pow10, 20)), 10, 64)
	if err != nil || pow10 > 20 {
		p.errorf(n, "%s %s is too large; the largest is %dps (about 106 days)", what, quote(clip(s)), int64(math.MaxInt64))
		return 0, false
	}
	return v, true
}

// formatPS writes a duration in picoseconds with the largest exact unit.
func formatPS(ps int64) string {
	units := []struct {
		name string
		ps   int64
	}{{"s", 1e12}, {"ms", 1e9}, {"us", 1e6}, {"ns", 1e3}}
	for _, u := range units {
		if ps%u.ps == 0 {
			return strconv.FormatInt(ps/u.ps, 10) + u.name
		}
	}
	return strconv.FormatInt(ps, 10) + "ps"
}
