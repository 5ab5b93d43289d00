package learn

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Dep is the dependency of a product: the condition under which the product
// contributes at all, and the time at which its trace factors are read.
type Dep uint8

const (
	DepX0 Dep = iota + 1 // the pre input spiked in the epoch; traces read at its spike time tx
	DepY0                // the post neuron spiked in the epoch; traces read at its spike time ty
	DepU                 // every 2^k-th epoch, for every synapse; traces read at the epoch's end
)

func (d Dep) String() string {
	switch d {
	case DepX0:
		return "x0"
	case DepY0:
		return "y0"
	case DepU:
		return "u"
	}
	return "?"
}

// Var is a variable a factor reads.
type Var uint8

const (
	VarX0 Var = iota + 1 // pre dependency as a value (0/1), 1 bit
	VarY0                // post dependency as a value (0/1), 1 bit
	VarX1                // pre trace 1, 7 bits
	VarX2                // pre trace 2, 7 bits
	VarY1                // post trace 1, 7 bits
	VarY2                // post trace 2, 7 bits
	VarY3                // post trace 3, 7 bits
	VarW                 // the synapse's weight, 9 bits signed
	VarD                 // the synapse's delay tag (tag_2), 8 bits
	VarT                 // the synapse's tag (tag_1), 9 bits
)

var varNames = [...]string{VarX0: "x0", VarY0: "y0", VarX1: "x1", VarX2: "x2", VarY1: "y1",
	VarY2: "y2", VarY3: "y3", VarW: "w", VarD: "d", VarT: "t"}

// varWidths are the bit widths b of Lava's factors; a factor's value is
// clipped to [−2^b, 2^b − 1] and b counts towards the product's shift.
var varWidths = [...]int{VarX0: 1, VarY0: 1, VarX1: 7, VarX2: 7, VarY1: 7, VarY2: 7, VarY3: 7,
	VarW: 9, VarD: 8, VarT: 9}

func (v Var) String() string {
	if int(v) < len(varNames) && varNames[v] != "" {
		return varNames[v]
	}
	return "?"
}

// Width is the factor's bit width (see the package doc).
func (v Var) Width() int {
	if int(v) < len(varWidths) {
		return varWidths[v]
	}
	return 0
}

// Factor is one factor of a product: Var + Const, or sgn(Var + Const).
type Factor struct {
	Var   Var
	Const int32 // added to the variable before clipping (0 if none was written)
	Sgn   bool  // sgn(Var + Const): −1, 0 or +1 (w, d, t only)
}

// String renders the factor in the rule language.
func (f Factor) String() string {
	s := f.Var.String()
	if f.Const > 0 {
		s = fmt.Sprintf("%s + %d", s, f.Const)
	} else if f.Const < 0 {
		s = fmt.Sprintf("%s - %d", s, -int64(f.Const))
	}
	switch {
	case f.Sgn:
		return "sgn(" + s + ")"
	case f.Const != 0:
		return "(" + s + ")"
	}
	return s
}

// Product is one term of a rule: Mantissa · 2^Exp · dependency · Π factors.
type Product struct {
	Dep Dep
	// Decimate is k of a u<k> dependency (the product applies in every
	// 2^k-th epoch); 0 for x0 and y0.
	Decimate int
	Mantissa int // −8..7, after normalisation
	Exp      int // k of the scale 2^k, −7..8; Lava stores Exp+7
	Factors  []Factor
}

// StoredExp is the exponent as Lava stores it (Exp + 7, 0..15); it is also
// the left shift applied to the product in the accumulator.
func (p Product) StoredExp() int { return p.Exp + 7 }

// String renders the product in the rule language.
func (p Product) String() string {
	var parts []string
	m := p.Mantissa
	if m < 0 {
		m = -m
	}
	if m != 1 {
		parts = append(parts, strconv.Itoa(m))
	}
	if p.Exp != 0 {
		parts = append(parts, "2^"+strconv.Itoa(p.Exp))
	}
	dep := p.Dep.String()
	if p.Dep == DepU {
		dep += strconv.Itoa(p.Decimate)
	}
	parts = append(parts, dep)
	for _, f := range p.Factors {
		parts = append(parts, f.String())
	}
	return strings.Join(parts, "*")
}

// Rule is a parsed learning rule: dw = Σ products, applied in order.
type Rule struct {
	Products []Product
}

// String renders the rule in the rule language; ParseRule(r.String())
// gives back r.
func (r Rule) String() string {
	var b strings.Builder
	for i, p := range r.Products {
		switch {
		case i == 0 && p.Mantissa < 0:
			b.WriteString("-")
		case i > 0 && p.Mantissa < 0:
			b.WriteString(" - ")
		case i > 0:
			b.WriteString(" + ")
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// uses reports whether any factor of any product reads v.
func (r Rule) uses(v Var) bool {
	for _, p := range r.Products {
		for _, f := range p.Factors {
			if f.Var == v {
				return true
			}
		}
	}
	return false
}

// ParseError is a rule-language error at a column (1-based, in characters)
// of the rule text.
type ParseError struct {
	Col int
	Msg string
}

func (e *ParseError) Error() string { return fmt.Sprintf("rule: col %d: %s", e.Col, e.Msg) }

// Limits of the rule language.
const (
	MinMantissa = -8 // a product's scale mantissa after normalisation
	MaxMantissa = 7
	MinExp      = -7 // a product's scale exponent k (stored as k+7)
	MaxExp      = 8
	MaxConst    = 1 << 16 // |C| of a (var + C) factor
	maxScale    = 1 << 40 // |mantissa| while a product is being read
	maxExpRead  = 1 << 10 // |k| while a product is being read
)

const expectedFactor = "expected a variable (x0, x1, x2, y0, y1, y2, y3, w, t, d) or a number"

// ParseRule parses a learning rule of the form Lava's Loihi learning rules
// take, e.g. "2^-2*x1*y0 - 3*2^-2*y1*x0". See the package documentation for
// the language; the result equals Lava's own decomposition of the text.
func ParseRule(text string) (Rule, error) {
	p := parser{src: text}
	p.next()
	r, err := p.rule()
	if err != nil {
		return Rule{}, err
	}
	return r, nil
}

// MustParseRule is ParseRule for rules known to be valid (named rules,
// tests); it panics on an error.
func MustParseRule(text string) Rule {
	r, err := ParseRule(text)
	if err != nil {
		panic(err)
	}
	return r
}

type tokKind uint8

const (
	tEOF tokKind = iota
	tNum
	tIdent
	tPlus
	tMinus
	tStar
	tCaret
	tLParen
	tRParen
	tBad
)

type token struct {
	kind tokKind
	text string
	pos  int // byte offset
}

type parser struct {
	src string
	off int
	tok token
	// per rule
	decimate int // −1 until a u<k> is seen
}

func (p *parser) col(pos int) int { return utf8.RuneCountInString(p.src[:pos]) + 1 }

func (p *parser) errAt(pos int, format string, args ...any) error {
	return &ParseError{Col: p.col(pos), Msg: fmt.Sprintf(format, args...)}
}

// errTok reports what was expected where the current token stands.
func (p *parser) errTok(expected string) error {
	if p.tok.kind == tEOF {
		return p.errAt(p.tok.pos, "%s, got the end of the rule", expected)
	}
	return p.errAt(p.tok.pos, "%s, got %q", expected, p.tok.text)
}

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' }

func (p *parser) next() {
	for p.off < len(p.src) && (p.src[p.off] == ' ' || p.src[p.off] == '\t' || p.src[p.off] == '\n' || p.src[p.off] == '\r') {
		p.off++
	}
	start := p.off
	if p.off >= len(p.src) {
		p.tok = token{kind: tEOF, pos: start}
		return
	}
	c := p.src[p.off]
	switch {
	case isDigit(c):
		for p.off < len(p.src) && isDigit(p.src[p.off]) {
			p.off++
		}
		p.tok = token{kind: tNum, text: p.src[start:p.off], pos: start}
		return
	case isLetter(c):
		for p.off < len(p.src) && (isLetter(p.src[p.off]) || isDigit(p.src[p.off])) {
			p.off++
		}
		p.tok = token{kind: tIdent, text: p.src[start:p.off], pos: start}
		return
	}
	var k tokKind
	switch c {
	case '+':
		k = tPlus
	case '-':
		k = tMinus
	case '*':
		k = tStar
	case '^':
		k = tCaret
	case '(':
		k = tLParen
	case ')':
		k = tRParen
	}
	if k != tEOF {
		p.off++
		p.tok = token{kind: k, text: p.src[start:p.off], pos: start}
		return
	}
	_, size := utf8.DecodeRuneInString(p.src[p.off:])
	p.off += size
	p.tok = token{kind: tBad, text: p.src[start:p.off], pos: start}
}

// rule := [sign] product {sign product} EOF
func (p *parser) rule() (Rule, error) {
	p.decimate = -1
	var r Rule
	for {
		start := p.tok.pos
		sign := 1
		switch {
		case p.tok.kind == tPlus || p.tok.kind == tMinus:
			if p.tok.kind == tMinus {
				sign = -1
			}
			p.next()
		case len(r.Products) > 0:
			return Rule{}, p.errTok(`expected "+", "-", "*" or the end of the rule`)
		}
		if p.tok.kind == tEOF && len(r.Products) == 0 && sign == 1 {
			return Rule{}, p.errAt(p.tok.pos, "empty rule: expected a sum of products such as x1*y0 - y1*x0")
		}
		prod, err := p.product(start, sign)
		if err != nil {
			return Rule{}, err
		}
		r.Products = append(r.Products, prod)
		if p.tok.kind == tEOF {
			return r, nil
		}
	}
}

// pending is a product while it is read.
type pending struct {
	m, k    int64
	dep     Dep
	factors []Factor
}

func (q *pending) scale(p *parser, pos int, m, k int64) error {
	q.m *= m
	q.k += k
	if q.m > maxScale || q.m < -maxScale || q.k > maxExpRead || q.k < -maxExpRead {
		return p.errAt(pos, "scale of this product is out of range (mantissa −8..7, exponent −7..8)")
	}
	return nil
}

// product := factor {"*" factor}
func (p *parser) product(start, sign int) (Product, error) {
	q := pending{m: int64(sign)}
	for {
		if err := p.factor(&q); err != nil {
			return Product{}, err
		}
		if p.tok.kind != tStar {
			break
		}
		p.next()
	}
	switch p.tok.kind {
	case tEOF, tPlus, tMinus:
	default:
		return Product{}, p.errTok(`expected "*", "+", "-" or the end of the rule`)
	}
	if q.dep == 0 {
		return Product{}, p.errAt(start, "product %q has no dependency: multiply it by x0, y0 or u<k>",
			strings.TrimSpace(p.src[start:p.tok.pos]))
	}
	m, k := q.m, q.k
	for (m > MaxMantissa || m < -MaxMantissa) && m%2 == 0 && k < MaxExp {
		m /= 2
		k++
	}
	if m < MinMantissa || m > MaxMantissa {
		return Product{}, p.errAt(start, "scale %d*2^%d of this product cannot be stored: the mantissa must lie in %d..%d once even mantissas are halved", m, k, MinMantissa, MaxMantissa)
	}
	if k < MinExp || k > MaxExp {
		return Product{}, p.errAt(start, "scale %d*2^%d of this product cannot be stored: the exponent must lie in %d..%d", m, k, MinExp, MaxExp)
	}
	prod := Product{Dep: q.dep, Mantissa: int(m), Exp: int(k), Factors: q.factors}
	if q.dep == DepU {
		prod.Decimate = p.decimate
	}
	return prod, nil
}

// variable resolves an identifier to a variable or a u<k> dependency
// (isU, k).
func (p *parser) variable(tok token) (v Var, isU bool, k int, err error) {
	for i, name := range varNames {
		if name != "" && name == tok.text {
			return Var(i), false, 0, nil
		}
	}
	if len(tok.text) == 2 && tok.text[0] == 'u' && isDigit(tok.text[1]) {
		return 0, true, int(tok.text[1] - '0'), nil
	}
	if tok.text == "sgn" {
		return 0, false, 0, p.errAt(tok.pos, `expected "(" after sgn`)
	}
	if tok.text[0] == 'u' {
		return 0, false, 0, p.errAt(tok.pos, "unknown dependency %q: u<k> takes one digit k (u0..u9)", tok.text)
	}
	return 0, false, 0, p.errAt(tok.pos, "unknown variable %q: expected x0, x1, x2, y0, y1, y2, y3, w, t, d or u<k>", tok.text)
}

// number reads NUM ["^" [sign] NUM] at the current token: a plain integer
// n (m=n, k=0) or a power of two 2^e (m=1, k=e).
func (p *parser) number() (m, k int64, err error) {
	tok := p.tok
	n, perr := strconv.ParseInt(tok.text, 10, 64)
	if perr != nil || n > maxScale {
		return 0, 0, p.errAt(tok.pos, "number %s is too large", tok.text)
	}
	p.next()
	if p.tok.kind != tCaret {
		return n, 0, nil
	}
	if n != 2 {
		return 0, 0, p.errAt(tok.pos, "only powers of 2 are allowed: expected 2^k, got %s^", tok.text)
	}
	p.next()
	esign := int64(1)
	if p.tok.kind == tPlus || p.tok.kind == tMinus {
		if p.tok.kind == tMinus {
			esign = -1
		}
		p.next()
	}
	if p.tok.kind != tNum {
		return 0, 0, p.errTok("expected an integer exponent after 2^")
	}
	e, perr := strconv.ParseInt(p.tok.text, 10, 64)
	if perr != nil || e > maxExpRead {
		return 0, 0, p.errAt(p.tok.pos, "exponent %s is too large", p.tok.text)
	}
	p.next()
	return 1, esign * e, nil
}

// factor := number | variable | "(" inner ")" | "sgn" "(" inner ")"
func (p *parser) factor(q *pending) error {
	tok := p.tok
	switch tok.kind {
	case tNum:
		m, k, err := p.number()
		if err != nil {
			return err
		}
		return q.scale(p, tok.pos, m, k)
	case tLParen:
		return p.bracket(q, false, tok.pos)
	case tIdent:
		if tok.text == "sgn" {
			p.next()
			if p.tok.kind != tLParen {
				return p.errTok(`expected "(" after sgn`)
			}
			return p.bracket(q, true, tok.pos)
		}
		v, isU, k, err := p.variable(tok)
		if err != nil {
			return err
		}
		p.next()
		switch {
		case isU:
			if q.dep != 0 {
				return p.errAt(tok.pos, "%s must be the product's first dependency (this product already depends on %s)", tok.text, q.dep)
			}
			if p.decimate >= 0 && p.decimate != k {
				return p.errAt(tok.pos, "all u<k> of a rule must use the same k: u%d was used before", p.decimate)
			}
			p.decimate = k
			q.dep = DepU
		case q.dep == 0 && v == VarX0:
			q.dep = DepX0
		case q.dep == 0 && v == VarY0:
			q.dep = DepY0
		default:
			q.factors = append(q.factors, Factor{Var: v})
		}
		return nil
	}
	return p.errTok(expectedFactor)
}

// bracket reads "(" inner ")" where inner is one of
//
//	C, var, var ± C, ±C ± var (C a constant: n, 2^e or n*2^e)
//
// A bracket holding only a constant multiplies the scale; var ± C becomes a
// factor with a constant. A negated variable flips the product's sign and
// the constant's. sgn(...) needs w, d or t, not negated.
func (p *parser) bracket(q *pending, sgn bool, start int) error {
	open := p.tok.pos
	p.next()
	type atom struct {
		pos    int
		neg    bool
		isVar  bool
		v      Var
		m, k   int64
		hasVal bool
	}
	var atoms []atom
	for len(atoms) < 2 {
		a := atom{pos: p.tok.pos}
		if p.tok.kind == tPlus || p.tok.kind == tMinus {
			a.neg = p.tok.kind == tMinus
			p.next()
		} else if len(atoms) > 0 {
			break
		}
		switch p.tok.kind {
		case tNum:
			m, k, err := p.number()
			if err != nil {
				return err
			}
			if p.tok.kind == tStar {
				// n*2^e inside a bracket is one constant.
				p.next()
				if p.tok.kind != tNum || p.tok.text != "2" {
					return p.errTok("expected 2^k after a constant's \"*\" inside brackets")
				}
				m2, k2, err := p.number()
				if err != nil {
					return err
				}
				if k2 == 0 && m2 == 2 {
					return p.errAt(a.pos, "expected n*2^k as a constant inside brackets")
				}
				m, k = m*m2, k+k2
			}
			a.m, a.k = m, k
		case tIdent:
			v, isU, _, err := p.variable(p.tok)
			if err != nil {
				return err
			}
			if isU {
				return p.errAt(p.tok.pos, "%s cannot stand inside brackets: it is a dependency", p.tok.text)
			}
			a.isVar, a.v = true, v
			p.next()
		default:
			return p.errTok(expectedFactor)
		}
		atoms = append(atoms, a)
	}
	if p.tok.kind != tRParen {
		if len(atoms) == 2 {
			return p.errTok(`expected ")": a bracket holds one variable plus or minus one constant`)
		}
		return p.errTok(`expected "+", "-" or ")"`)
	}
	p.next()

	var va, ca *atom
	for i := range atoms {
		if atoms[i].isVar {
			if va != nil {
				return p.errAt(atoms[i].pos, "a bracket holds one variable plus or minus one constant, not two variables")
			}
			va = &atoms[i]
		} else {
			if ca != nil {
				return p.errAt(atoms[i].pos, "a bracket holds one variable plus or minus one constant, not two constants")
			}
			ca = &atoms[i]
		}
	}
	if va == nil {
		if sgn {
			return p.errAt(start, "sgn(...) needs w, d or t inside")
		}
		// A constant in brackets multiplies the scale, as Lava does.
		m := ca.m
		if ca.neg {
			m = -m
		}
		return q.scale(p, ca.pos, m, ca.k)
	}
	var c int64
	if ca != nil {
		c = ca.m
		switch {
		case ca.k > 0:
			if ca.k > 20 {
				return p.errAt(ca.pos, "constant is too large (|C| ≤ %d)", MaxConst)
			}
			c <<= ca.k
		case ca.k < 0:
			if ca.k < -62 || c%(int64(1)<<-ca.k) != 0 {
				return p.errAt(ca.pos, "constant must be a whole number")
			}
			c >>= -ca.k
		}
		if c > MaxConst {
			return p.errAt(ca.pos, "constant is too large (|C| ≤ %d)", MaxConst)
		}
		if ca.neg {
			c = -c
		}
	}
	if sgn {
		if va.v != VarW && va.v != VarD && va.v != VarT {
			return p.errAt(va.pos, "sgn(...) applies to w, d or t only, got %s", va.v)
		}
		if va.neg {
			return p.errAt(va.pos, "the variable inside sgn(...) cannot be negated")
		}
	} else if va.neg && ca == nil {
		// Lava silently drops this minus; refuse rather than differ.
		return p.errAt(va.pos, "a negated variable alone in brackets: write the minus in front of the product")
	}
	if va.neg {
		if err := q.scale(p, open, -1, 0); err != nil {
			return err
		}
		c = -c
	}
	q.factors = append(q.factors, Factor{Var: va.v, Const: int32(c), Sgn: sgn})
	return nil
}
