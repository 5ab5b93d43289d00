package learn

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/tools/refdata"
)

func f(v Var) Factor { return Factor{Var: v} }

func TestParseRule(t *testing.T) {
	for _, tc := range []struct {
		text string
		want []Product
	}{
		{"x1*y0 - y1*x0", []Product{
			{Dep: DepY0, Mantissa: 1, Factors: []Factor{f(VarX1)}},
			{Dep: DepX0, Mantissa: -1, Factors: []Factor{f(VarY1)}}}},
		{"2^-2*x1*y0 - 3*2^-2*y1*x0", []Product{
			{Dep: DepY0, Mantissa: 1, Exp: -2, Factors: []Factor{f(VarX1)}},
			{Dep: DepX0, Mantissa: -3, Exp: -2, Factors: []Factor{f(VarY1)}}}},
		{"4*x0*y0 - x0 - 2*y0", []Product{
			{Dep: DepX0, Mantissa: 4, Factors: []Factor{f(VarY0)}},
			{Dep: DepX0, Mantissa: -1},
			{Dep: DepY0, Mantissa: -2}}},
		{"2^-3*w*y1*x0", []Product{{Dep: DepX0, Mantissa: 1, Exp: -3, Factors: []Factor{f(VarW), f(VarY1)}}}},
		// Normalisation: even mantissas above 7 are halved.
		{"2^3*x0*y0", []Product{{Dep: DepX0, Mantissa: 1, Exp: 3, Factors: []Factor{f(VarY0)}}}},
		{"16*x0", []Product{{Dep: DepX0, Mantissa: 4, Exp: 2}}},
		{"-12 * 2^-4 * y0", []Product{{Dep: DepY0, Mantissa: -6, Exp: -3}}},
		{"3*2^5*7*2^-4*2*x0", []Product{{Dep: DepX0, Mantissa: 21, Exp: 2}}[:0]}, // 42 → 21, odd: error
		{"3*5*2^-1*y0*2^-1", []Product{}},                                        // 15 is odd and > 7: error below
		{"-8*2^8*x0", []Product{{Dep: DepX0, Mantissa: -8, Exp: 8}}},
		// Constants in brackets multiply the scale.
		{"(3)*(-2)*x0", []Product{{Dep: DepX0, Mantissa: -6}}},
		{"(2^-1)*(-16)*x0*2^2", []Product{{Dep: DepX0, Mantissa: -4, Exp: 3}}},
		// (var ± C), in either order, with a negated variable flipping signs.
		{"(x1 + 3)*y0 - (2^2 - y2)*x0", []Product{
			{Dep: DepY0, Mantissa: 1, Factors: []Factor{{Var: VarX1, Const: 3}}},
			{Dep: DepX0, Mantissa: 1, Factors: []Factor{{Var: VarY2, Const: -4}}}}},
		{"(x0 + 1)*y0*(w - 3*2^2)", []Product{
			{Dep: DepY0, Mantissa: 1, Factors: []Factor{{Var: VarX0, Const: 1}, {Var: VarW, Const: -12}}}}},
		{"sgn(w - 10)*x0 + sgn(t)*sgn(d + 1)*y0", []Product{
			{Dep: DepX0, Mantissa: 1, Factors: []Factor{{Var: VarW, Const: -10, Sgn: true}}},
			{Dep: DepY0, Mantissa: 1, Factors: []Factor{{Var: VarT, Sgn: true}, {Var: VarD, Const: 1, Sgn: true}}}}},
		{"2^-4*u2*x2*y3 - u2*w", []Product{
			{Dep: DepU, Decimate: 2, Mantissa: 1, Exp: -4, Factors: []Factor{f(VarX2), f(VarY3)}},
			{Dep: DepU, Decimate: 2, Mantissa: -1, Factors: []Factor{f(VarW)}}}},
		{"u0*x0", []Product{{Dep: DepU, Mantissa: 1, Factors: []Factor{f(VarX0)}}}},
	} {
		r, err := ParseRule(tc.text)
		if len(tc.want) == 0 {
			assert.Error(t, err, tc.text)
			continue
		}
		if assert.NoError(t, err, tc.text) {
			assert.Equal(t, tc.want, r.Products, tc.text)
			again, err := ParseRule(r.String())
			require.NoError(t, err, "re-parse of %q", r.String())
			assert.Equal(t, r, again, "round trip through %q", r.String())
		}
	}
}

func TestParseRuleErrors(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"2^-2*x1**y0", `rule: col 9: expected a variable (x0, x1, x2, y0, y1, y2, y3, w, t, d) or a number, got "*"`},
		{"", "rule: col 1: empty rule"},
		{"x1*y0 -", "rule: col 8: expected a variable (x0, x1, x2, y0, y1, y2, y3, w, t, d) or a number, got the end of the rule"},
		{"x1*y0 - 2*x1", `rule: col 7: product "- 2*x1" has no dependency: multiply it by x0, y0 or u<k>`},
		{"x3*y0", `rule: col 1: unknown variable "x3"`},
		{"x1y0", `rule: col 1: unknown variable "x1y0"`},
		{"x1 y0", `rule: col 4: expected "*", "+", "-" or the end of the rule, got "y0"`},
		{"3^2*x0", "rule: col 1: only powers of 2 are allowed"},
		{"2^*x0", "rule: col 3: expected an integer exponent after 2^"},
		{"15*x0", "rule: col 1: scale 15*2^0 of this product cannot be stored: the mantissa must lie in -8..7"},
		{"x0 + 2^9*y0", "rule: col 4: scale 1*2^9 of this product cannot be stored: the exponent must lie in -7..8"},
		{"2^-8*y0", "the exponent must lie in -7..8"},
		{"u1*x0 + u2*y0", "rule: col 9: all u<k> of a rule must use the same k"},
		{"x0*u1", "rule: col 4: u1 must be the product's first dependency"},
		{"u12*x0", `rule: col 1: unknown dependency "u12"`},
		{"(x1 + y1)*y0", "not two variables"},
		{"(x1 + 3 + 4)*y0", `rule: col 9: expected ")"`},
		{"(-x1)*y0", "rule: col 2: a negated variable alone in brackets"},
		{"(x1 + 2^-1)*y0", "constant must be a whole number"},
		{"sgn(x1)*y0", "rule: col 5: sgn(...) applies to w, d or t only"},
		{"sgn(-w + 1)*y0", "cannot be negated"},
		{"sgn x0", `rule: col 5: expected "(" after sgn`},
		{"(u1 + 1)*y0", "cannot stand inside brackets"},
		{"(x1 + 1*y0", `rule: col 9: expected 2^k after a constant's "*" inside brackets, got "y0"`},
		{"x1*y0)", `expected "*", "+", "-" or the end of the rule, got ")"`},
		{"x0 + ", "got the end of the rule"},
		{"x0 - - y0", `rule: col 6: expected a variable`},
		{"x0 * é", `rule: col 6: expected a variable (x0, x1, x2, y0, y1, y2, y3, w, t, d) or a number, got "é"`},
		{"99999999999999999999*x0", "is too large"},
		{"(x1 + 99999999)*y0", "constant is too large"},
	} {
		_, err := ParseRule(tc.text)
		if assert.Error(t, err, tc.text) {
			assert.Contains(t, err.Error(), tc.want, tc.text)
			var pe *ParseError
			assert.True(t, errors.As(err, &pe), "%q: a *ParseError", tc.text)
		}
	}
}

func TestNamedRules(t *testing.T) {
	for name, text := range NamedRules {
		r, err := ParseRule(text)
		require.NoError(t, err, name)
		require.NoError(t, r.Validate(), name)
		for _, p := range r.Products {
			assert.NotEqual(t, DepU, p.Dep, "%s: named rules are spike-driven", name)
		}
	}
	tr := MustParseRule(TripletSTDP)
	assert.True(t, tr.uses(VarX2) && tr.uses(VarY2), "the triplet rule uses x2 and y2")
	mu := MustParseRule(MultiplicativeSTDP)
	assert.True(t, mu.uses(VarW))
	assert.Equal(t, "2^-2*y0*x1 - 2^-2*x0*y1", MustParseRule(PairSTDP).String())
}

// FuzzParseRule: no input panics, and every accepted rule validates and
// survives a round trip through its rendering. The seeds are the rules of
// the Lava reference scenarios and the named rules.
func FuzzParseRule(f *testing.F) {
	dir, err := refdata.Find("lava-learning")
	if err != nil {
		f.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	if len(files) == 0 {
		f.Fatalf("no scenarios in %s", dir)
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		require.NoError(f, err)
		var sc struct {
			LearningRule struct {
				Dw string `json:"dw"`
			} `json:"learning_rule"`
		}
		require.NoError(f, json.Unmarshal(data, &sc))
		f.Add(sc.LearningRule.Dw)
	}
	for _, text := range NamedRules {
		f.Add(text)
	}
	for _, text := range []string{"(x1 + 3)*y0 - (2^2 - y2)*x0", "sgn(w - 10)*x0 + sgn(t)*y0", "2^-4*u2*x2*y3", "-8*2^8*x0", "(3)*(-2)*x0"} {
		f.Add(text)
	}
	f.Fuzz(func(t *testing.T, text string) {
		r, err := ParseRule(text)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Col < 1 {
				t.Fatalf("%q: error %v is not a positioned ParseError", text, err)
			}
			return
		}
		if err := r.Validate(); err != nil {
			t.Fatalf("%q parsed to an invalid rule: %v", text, err)
		}
		again, err := ParseRule(r.String())
		if err != nil {
			t.Fatalf("%q renders as %q, which does not parse: %v", text, r.String(), err)
		}
		if !assert.ObjectsAreEqual(r, again) {
			t.Fatalf("%q: round trip through %q changed the rule", text, r.String())
		}
	})
}
