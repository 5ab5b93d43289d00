package netfile

import (
	"errors"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/tessera-sim/tessera/compiler/graph"
	"github.com/tessera-sim/tessera/core/learn"
)

// This file reads a projection's plasticity block: the on-chip learning rule
// of package core/learn and its parameters.

// Defaults of the plasticity fields. The zero learn.SignMode is Mixed, the
// default of Lava's LearningDense.
const (
	defaultTEpoch        = 1
	defaultNumWeightBits = 8
	maxNumWeightBits     = 8
)

// traceNames are the trace fields, in the order of graph.Plasticity.Traces.
var traceNames = [5]string{"x1", "x2", "y1", "y2", "y3"}

// signModes are the values of sign_mode, named as package learn names them.
var signModes = []learn.SignMode{learn.Mixed, learn.Excitatory, learn.Inhibitory}

// namedRules returns the names of learn.NamedRules, sorted.
func namedRules() []string {
	names := make([]string, 0, len(learn.NamedRules))
	for name := range learn.NamedRules {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// plasticProjection reads the plasticity block n of the projection f and
// checks it against the projection's other fields (read into pr before):
// w is its weight as read, and weightExpOK says whether weight_exp was valid.
func (p *parser) plasticProjection(f *fields, n *yaml.Node, pr *graph.Projection, w weightSpec, weightExpOK bool) {
	pl, rule, ok, signOK := p.plasticity(n)
	if pl == nil {
		return
	}
	pr.Plasticity = pl
	if c := f.get("connectivity"); c != nil && pr.Conn.Kind != 0 && pr.Conn.Kind != graph.AllToAll {
		c, _ = p.resolve(c)
		p.errorf(c, "plastic projections must be all_to_all for now; this one is %s (use connectivity: all_to_all, or remove plasticity)", pr.Conn.Kind)
	}
	if d := f.get("delay"); d != nil && pr.Delay != 0 {
		d, _ = p.resolve(d)
		p.errorf(d, "plastic synapses have no delay; got delay %d (remove delay, or the projection's plasticity)", pr.Delay)
	}
	if w.ok && signOK {
		p.checkSignMode(w, pl.SignMode)
	}
	if !ok || !weightExpOK {
		return
	}
	// Everything was checked above; the engine's own check is the last word.
	params := learn.Params{
		Rule:          rule,
		TEpoch:        int(pl.TEpoch),
		X1:            pl.Traces[0],
		X2:            pl.Traces[1],
		Y1:            pl.Traces[2],
		Y2:            pl.Traces[3],
		Y3:            pl.Traces[4],
		SignMode:      pl.SignMode,
		NumWeightBits: int(pl.NumWeightBits),
		WeightExp:     int(pr.WeightExp),
	}
	if err := params.Validate(); err != nil {
		for _, e := range unjoin(err) {
			p.errorAt(pl.Pos, "invalid plasticity: %s", strings.TrimPrefix(e.Error(), "learn: "))
		}
	}
}

// checkSignMode reports a plastic projection's weight that does not fit its
// sign mode: the integer, or each bound of a random weight.
func (p *parser) checkSignMode(w weightSpec, m learn.SignMode) {
	const modes = "(excitatory 0..255, inhibitory -255..0, mixed -256..255)"
	lo, hi := m.Bounds()
	if w.init == nil {
		if w.value < lo || w.value > hi {
			p.errorf(w.node, "weight %d does not fit sign_mode %s: a plastic projection's weight must be in %d..%d %s",
				w.value, m, lo, hi, modes)
		}
		return
	}
	for _, b := range []struct {
		name string
		v    int32
		at   *yaml.Node
	}{{"lo", w.init.Lo, w.lo}, {"hi", w.init.Hi, w.hi}} {
		if b.v < lo || b.v > hi {
			p.errorf(b.at, "uniform %s %d does not fit sign_mode %s: a plastic projection's weights must all be in %d..%d %s",
				b.name, b.v, m, lo, hi, modes)
		}
	}
}

// unjoin splits an errors.Join error into its errors.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// plasticity reads a plasticity block. pl is nil if n is not a mapping; ok
// says whether every field is valid (rule is then the parsed rule), signOK
// whether sign_mode is.
func (p *parser) plasticity(n *yaml.Node) (pl *graph.Plasticity, rule learn.Rule, ok, signOK bool) {
	f, isMap := p.mapping(n, secPlasticity, "plasticity")
	if !isMap {
		return nil, rule, false, false
	}
	pl = &graph.Plasticity{Pos: p.pos(f.node), TEpoch: defaultTEpoch, NumWeightBits: defaultNumWeightBits}
	ok, signOK = true, true
	if n := f.get("rule"); n != nil {
		var ruleOK bool
		rule, ruleOK = p.learningRule(n, pl)
		ok = ok && ruleOK
	} else {
		ok = false // reported as missing
	}
	if n := f.get("t_epoch"); n != nil {
		var v bool
		pl.TEpoch, v = p.int32In(n, "t_epoch", 1, learn.MaxTEpoch)
		ok = ok && v
	}
	for i, name := range traceNames {
		if n := f.get(name); n != nil {
			var v bool
			pl.Traces[i], v = p.trace(n, name)
			ok = ok && v
		}
	}
	if n := f.get("sign_mode"); n != nil {
		signOK = false
		if s, v := p.str(n, "sign_mode"); v {
			names := make([]string, len(signModes))
			for i, m := range signModes {
				names[i] = m.String()
				if s == names[i] {
					pl.SignMode, signOK = m, true
				}
			}
			if !signOK {
				n, _ = p.resolve(n)
				p.errorf(n, "unknown sign_mode %s%s (allowed: %s)", quote(clip(s)), didYouMean(s, names), strings.Join(names, ", "))
			}
		}
		ok = ok && signOK
	}
	if n := f.get("num_weight_bits"); n != nil {
		var v bool
		pl.NumWeightBits, v = p.int32In(n, "num_weight_bits", 1, maxNumWeightBits)
		ok = ok && v
	}
	return pl, rule, ok, signOK
}

// trace reads one of the traces x1, x2, y1, y2, y3.
func (p *parser) trace(n *yaml.Node, name string) (learn.Trace, bool) {
	var tr learn.Trace
	f, ok := p.mapping(n, secTrace, name)
	if !ok {
		return tr, false
	}
	if n := f.get("impulse"); n != nil {
		v, vok := p.number(n, name+" impulse")
		if vok && !(v >= 0 && v < learn.MaxImpulse) {
			n, _ = p.resolve(n)
			p.errorf(n, "%s impulse must be in [0, %d) (a trace saturates at %d anyway); got %s", name, learn.MaxImpulse, learn.MaxTraceValue, clip(n.Value))
			vok = false
		}
		tr.Impulse, ok = v, ok && vok
	} else {
		ok = false // reported as missing
	}
	if n := f.get("tau"); n != nil {
		v, vok := p.number(n, name+" tau")
		if vok && !(v >= 0 && v <= learn.MaxTau) {
			n, _ = p.resolve(n)
			p.errorf(n, "%s tau must be in [0, %d] steps (0: the trace keeps nothing from one step to the next); got %s", name, learn.MaxTau, clip(n.Value))
			vok = false
		}
		tr.Tau, ok = v, ok && vok
	} else {
		ok = false
	}
	if !ok {
		return learn.Trace{}, false
	}
	return tr, true
}

// ruleName is what a named rule looks like: one word.
var ruleName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

// ruleWord is a word of the rule language: a variable, u<k> or sgn.
var ruleWord = regexp.MustCompile(`^(x[0-2]|y[0-3]|w|d|t|u[0-9]*|sgn)$`)

// learningRule reads rule: a named rule or the text of one. It sets pl.Rule
// (the text, named rules expanded) and pl.RulePos.
func (p *parser) learningRule(n *yaml.Node, pl *graph.Plasticity) (learn.Rule, bool) {
	s, ok := p.str(n, "rule")
	if !ok {
		return learn.Rule{}, false
	}
	n, _ = p.resolve(n)
	pl.RulePos = p.pos(n)
	if text, named := learn.NamedRules[s]; named {
		pl.Rule = text
		r, err := learn.ParseRule(text)
		if err != nil { // a bug in package learn
			p.errorf(n, "named rule %s does not parse: %v", quote(s), err)
			return learn.Rule{}, false
		}
		return r, true
	}
	pl.Rule = s
	if pos, ok := p.textPos(n, 0); ok {
		pl.RulePos = pos // where the text starts, inside the quotes
	}
	r, err := learn.ParseRule(s)
	if err == nil {
		return r, true
	}
	names := namedRules()
	word, _, _ := strings.Cut(strings.TrimSpace(s), "-")
	if ruleName.MatchString(strings.TrimSpace(s)) && !ruleWord.MatchString(word) || suggest(s, names) != "" {
		p.errorf(n, "unknown named rule %s%s (named rules: %s; or write the rule itself, such as %s)",
			quote(clip(s)), didYouMean(s, names), strings.Join(names, ", "), quote(learn.PairSTDP))
		return learn.Rule{}, false
	}
	var pe *learn.ParseError
	if !errors.As(err, &pe) {
		p.errorf(n, "invalid rule: %v", err)
		return learn.Rule{}, false
	}
	if pos, ok := p.textPos(n, pe.Col-1); ok {
		p.errorAt(pos, "invalid rule: %s", pe.Msg)
	} else {
		p.errorf(n, "invalid rule: at character %d of the rule: %s", pe.Col, pe.Msg)
	}
	return learn.Rule{}, false
}

// textPos is the position in the file of character idx (0-based, in runes)
// of the string scalar n, or of the end of the string when idx is its
// length. It is known for plain, single- and double-quoted scalars (and
// JSON strings), escapes and folded lines included; not for block scalars
// (| and >), and not if the text is not where n says.
func (p *parser) textPos(n *yaml.Node, idx int) (graph.Pos, bool) {
	at, ok := p.scalarPositions(n)
	if !ok || idx < 0 || idx >= len(at) {
		return graph.Pos{}, false
	}
	return at[idx], true
}

// scalarPositions decodes the scalar n again from the file's text, keeping
// the position of every character of its value, then that of its end. It
// fails unless the decoded text is exactly n.Value.
func (p *parser) scalarPositions(n *yaml.Node) ([]graph.Pos, bool) {
	if n.Kind != yaml.ScalarNode || n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return nil, false
	}
	c, ok := p.cursorAt(n.Line, n.Column)
	if !ok {
		return nil, false
	}
	if !p.json {
		// n starts at its anchor or tag, if it has one: skip them.
		for r, _ := c.peek(); r == '&' || r == '!'; r, _ = c.peek() {
			for r, size := c.peek(); size > 0 && r != ' ' && r != '\t' && r != '\n' && r != '\r'; r, size = c.peek() {
				c.next()
			}
			for r, _ := c.peek(); r == ' ' || r == '\t' || r == '\n' || r == '\r'; r, _ = c.peek() {
				c.next()
			}
		}
	}
	d := scalarDecoder{c: c, want: len([]rune(n.Value))}
	switch {
	case p.json:
		ok = d.json()
	case n.Style&yaml.DoubleQuotedStyle != 0:
		ok = d.yaml('"')
	case n.Style&yaml.SingleQuotedStyle != 0:
		ok = d.yaml('\'')
	default:
		ok = d.yaml(0)
	}
	if !ok || string(d.out) != n.Value {
		return nil, false
	}
	at := make([]graph.Pos, len(d.at)+1)
	for i, lc := range d.at {
		at[i] = graph.Pos{File: p.file, Line: lc[0], Col: lc[1]}
	}
	at[len(d.at)] = graph.Pos{File: p.file, Line: d.end[0], Col: d.end[1]}
	return at, true
}

// cursorAt is a cursor at line:col of the file's text (col in runes).
func (p *parser) cursorAt(line, col int) (*cursor, bool) {
	if p.lineStarts == nil {
		p.lineStarts = []int{0}
		for i, b := range p.src {
			if b == '\n' {
				p.lineStarts = append(p.lineStarts, i+1)
			}
		}
	}
	if line < 1 || line > len(p.lineStarts) || col < 1 {
		return nil, false
	}
	c := &cursor{src: p.src, off: p.lineStarts[line-1], line: line, col: 1}
	if last := p.lastCursor; last.line == line && last.col <= col {
		*c = last // a long line (minified JSON) is walked once, left to right
	}
	for c.col < col {
		r, size := c.peek()
		if size == 0 || r == '\n' {
			return nil, false
		}
		c.next()
	}
	p.lastCursor = *c
	return c, true
}

// cursor walks the file's text, counting lines and columns as the YAML and
// JSON readers do (a line ends at '\n'; a column is a rune).
type cursor struct {
	src       []byte
	off       int
	line, col int
}

// peek returns the rune at the cursor and its size; size 0 at the end.
func (c *cursor) peek() (rune, int) {
	if c.off >= len(c.src) {
		return 0, 0
	}
	r, size := rune(c.src[c.off]), 1
	if r >= 0x80 {
		r, size = utf8.DecodeRune(c.src[c.off:])
	}
	return r, size
}

func (c *cursor) next() {
	r, size := c.peek()
	c.off += size
	if r == '\n' {
		c.line, c.col = c.line+1, 1
	} else if size > 0 {
		c.col++
	}
}

func (c *cursor) pos() [2]int { return [2]int{c.line, c.col} }

// scalarDecoder re-reads a scalar: out is its value so far, at the position
// of each of its characters.
type scalarDecoder struct {
	c    *cursor
	want int // runes in the value, where a plain scalar ends
	out  []rune
	at   [][2]int
	// pending white space, kept only if more text follows on its line
	pending   []rune
	pendingAt [][2]int
	end       [2]int
}

func (d *scalarDecoder) emit(r rune, at [2]int) {
	d.out = append(d.out, d.pending...)
	d.at = append(d.at, d.pendingAt...)
	d.pending, d.pendingAt = d.pending[:0], d.pendingAt[:0]
	d.out = append(d.out, r)
	d.at = append(d.at, at)
}

// oddBreak says whether r starts a line break that the cursor cannot count
// as the YAML reader does.
func oddBreak(r rune) bool { return r == '\r' || r == 0x85 || r == 0x2028 || r == 0x2029 }

// lineBreak consumes a line break ("\n" or "\r\n") at the cursor.
func (d *scalarDecoder) lineBreak() bool {
	r, _ := d.c.peek()
	if r == '\r' {
		d.c.next()
		r, _ = d.c.peek()
	}
	if r != '\n' {
		return false
	}
	d.c.next()
	return true
}

// fold reads a line break in a flow scalar and the blank lines and
// indentation after it: one space, or a newline for each blank line (at
// the line break that ends it).
func (d *scalarDecoder) fold() bool {
	d.pending, d.pendingAt = d.pending[:0], d.pendingAt[:0] // trailing white space
	breaks := [][2]int{d.c.pos()}
	if !d.lineBreak() {
		return false
	}
	for {
		r, _ := d.c.peek()
		for r == ' ' || r == '\t' {
			d.c.next()
			r, _ = d.c.peek()
		}
		if r != '\n' && r != '\r' {
			break
		}
		breaks = append(breaks, d.c.pos())
		if !d.lineBreak() {
			return false
		}
	}
	if len(breaks) == 1 {
		d.emit(' ', breaks[0])
	}
	for _, at := range breaks[1:] {
		d.emit('\n', at)
	}
	return true
}

// yamlEscapes are the one-character escapes of a double-quoted YAML scalar.
var yamlEscapes = map[rune]rune{
	'0': 0, 'a': '\a', 'b': '\b', 't': '\t', '\t': '\t', 'n': '\n', 'v': '\v', 'f': '\f', 'r': '\r', 'e': 0x1b,
	' ': ' ', '"': '"', '/': '/', '\\': '\\', 'N': 0x85, '_': 0xa0, 'L': 0x2028, 'P': 0x2029,
}

// yaml decodes a plain (quote 0), single- or double-quoted YAML scalar.
func (d *scalarDecoder) yaml(quote rune) bool {
	if quote != 0 {
		if r, _ := d.c.peek(); r != quote {
			return false
		}
		d.c.next()
	}
	for {
		if quote == 0 && len(d.out) == d.want {
			d.end = d.c.pos()
			return true
		}
		if len(d.out) > d.want {
			return false
		}
		r, size := d.c.peek()
		at := d.c.pos()
		switch {
		case size == 0:
			return false
		case quote != 0 && r == quote:
			d.c.next()
			if r2, _ := d.c.peek(); quote == '\'' && r2 == '\'' {
				d.c.next()
				d.emit('\'', at)
				continue
			}
			d.out = append(d.out, d.pending...) // white space before the closing quote is kept
			d.at = append(d.at, d.pendingAt...)
			d.end = at
			return true
		case r == '\\' && quote == '"':
			d.c.next()
			e, _ := d.c.peek()
			switch {
			case e == '\n' || e == '\r':
				// An escaped line break: nothing, and the next line's
				// indentation is skipped; the white space before it is kept.
				d.out = append(d.out, d.pending...)
				d.at = append(d.at, d.pendingAt...)
				d.pending, d.pendingAt = d.pending[:0], d.pendingAt[:0]
				if !d.lineBreak() {
					return false
				}
				for r, _ := d.c.peek(); r == ' ' || r == '\t'; r, _ = d.c.peek() {
					d.c.next()
				}
			case e == 'x' || e == 'u' || e == 'U':
				d.c.next()
				v, ok := d.hex(map[rune]int{'x': 2, 'u': 4, 'U': 8}[e])
				if !ok {
					return false
				}
				d.emit(v, at)
			default:
				v, ok := yamlEscapes[e]
				if !ok {
					return false
				}
				d.c.next()
				d.emit(v, at)
			}
		case r == '\n' || r == '\r' && d.crlf():
			if !d.fold() {
				return false
			}
		case oddBreak(r):
			return false
		case r == ' ' || r == '\t':
			d.pending = append(d.pending, r)
			d.pendingAt = append(d.pendingAt, at)
			d.c.next()
		default:
			d.emit(r, at)
			d.c.next()
		}
	}
}

// crlf says whether the cursor is at "\r\n".
func (d *scalarDecoder) crlf() bool {
	return d.c.off+1 < len(d.c.src) && d.c.src[d.c.off] == '\r' && d.c.src[d.c.off+1] == '\n'
}

// hex reads n hexadecimal digits as a rune.
func (d *scalarDecoder) hex(n int) (rune, bool) {
	var v rune
	for range n {
		r, _ := d.c.peek()
		var x rune
		switch {
		case r >= '0' && r <= '9':
			x = r - '0'
		case r >= 'a' && r <= 'f':
			x = r - 'a' + 10
		case r >= 'A' && r <= 'F':
			x = r - 'A' + 10
		default:
			return 0, false
		}
		v = v<<4 | x
		d.c.next()
	}
	return v, true
}

// jsonEscapes are the one-character escapes of a JSON string.
var jsonEscapes = map[rune]rune{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

// json decodes a JSON string.
func (d *scalarDecoder) json() bool {
	if r, _ := d.c.peek(); r != '"' {
		return false
	}
	d.c.next()
	for len(d.out) <= d.want {
		r, size := d.c.peek()
		at := d.c.pos()
		switch {
		case size == 0 || r == '\n':
			return false
		case r == '"':
			d.end = at
			return true
		case r == '\\':
			d.c.next()
			e, _ := d.c.peek()
			d.c.next()
			if e != 'u' {
				v, ok := jsonEscapes[e]
				if !ok {
					return false
				}
				d.emit(v, at)
				continue
			}
			v, ok := d.hex(4)
			if !ok {
				return false
			}
			if v >= 0xd800 && v < 0xdc00 && d.c.off+1 < len(d.c.src) && d.c.src[d.c.off] == '\\' && d.c.src[d.c.off+1] == 'u' {
				save := *d.c
				d.c.next()
				d.c.next()
				if lo, ok := d.hex(4); ok && lo >= 0xdc00 && lo < 0xe000 {
					v = (v-0xd800)<<10 | (lo - 0xdc00) + 0x10000
				} else {
					*d.c = save
				}
			}
			if v >= 0xd800 && v < 0xe000 {
				v = 0xfffd // as encoding/json does
			}
			d.emit(v, at)
		default:
			d.emit(r, at)
			d.c.next()
		}
	}
	return false
}
