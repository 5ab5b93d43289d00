package sweep

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// MaxRuns caps the configurations of one sweep. A grid larger than this is
// almost always a typo in a range (a step of 0.001 instead of 0.1), and
// would write as many output directories before anyone noticed.
const MaxRuns = 100_000

// Param is one swept parameter: a key (seed, preset.<path> or net.<path>)
// and the values it takes, as written by the user. Values stay strings
// until they are applied, where they are read as YAML scalars, so that
// "40", "4e1" and "true" mean what they would mean in the file itself.
type Param struct {
	Key    string   `json:"key"`
	Values []string `json:"values"`
}

// Grid is the ordered list of swept parameters. Its configurations are the
// cartesian product of their values, the first parameter varying slowest
// and the last fastest, numbered from 0 — the order of nested loops
// written in the grid's order, and the number a Slurm array task gets.
type Grid []Param

// Validate checks that every key is known and given once, that no key
// lies inside another (preset.core.syn_op and preset.core.syn_op.energy_fj
// would fight over the same node), that each has at least one value, and
// that the grid has at most MaxRuns configurations. It reports every
// problem at once.
func (g Grid) Validate() error {
	var errs []error
	seen := map[string]bool{}
	for _, p := range g {
		if seen[p.Key] {
			errs = append(errs, fmt.Errorf("key %s is given twice; give all its values in one --set %s=a,b,c", p.Key, p.Key))
			continue
		}
		seen[p.Key] = true
		if _, err := parseKey(p.Key); err != nil {
			errs = append(errs, err)
		}
		if len(p.Values) == 0 {
			errs = append(errs, fmt.Errorf("key %s has no values", p.Key))
		}
		for _, v := range p.Values {
			if strings.TrimSpace(v) == "" {
				errs = append(errs, fmt.Errorf("key %s has an empty value (two commas in a row, or one at the end?)", p.Key))
				break
			}
		}
	}
	for i, a := range g {
		for _, b := range g[i+1:] {
			if a.Key != b.Key && (strings.HasPrefix(b.Key, a.Key+".") || strings.HasPrefix(a.Key, b.Key+".")) {
				errs = append(errs, fmt.Errorf("keys %s and %s overlap: one sets a node inside the other", a.Key, b.Key))
			}
		}
	}
	if len(errs) == 0 {
		if n, ok := g.size(); !ok {
			errs = append(errs, fmt.Errorf("the grid has %s configurations, more than the %d one sweep may have; sweep fewer values, or split the sweep", n, MaxRuns))
		}
	}
	return errors.Join(errs...)
}

// size is the number of configurations, and whether it is within MaxRuns.
// The product is computed exactly so that a huge grid is reported with its
// true size rather than an overflowed one.
func (g Grid) size() (*big.Int, bool) {
	n := big.NewInt(1)
	for _, p := range g {
		n.Mul(n, big.NewInt(int64(len(p.Values))))
	}
	return n, n.Cmp(big.NewInt(MaxRuns)) <= 0
}

// Runs is the number of configurations of a valid grid (1 for an empty
// grid: one run of the network as it is).
func (g Grid) Runs() int {
	n := 1
	for _, p := range g {
		n *= len(p.Values)
	}
	return n
}

// Values returns configuration run's value of each parameter, in grid order.
func (g Grid) Values(run int) []string {
	out := make([]string, len(g))
	for i := len(g) - 1; i >= 0; i-- {
		n := len(g[i].Values)
		out[i] = g[i].Values[run%n]
		run /= n
	}
	return out
}

// Describe names configuration run by its values, "k1=v1 k2=v2", for
// error messages and logs.
func (g Grid) Describe(run int) string {
	vals := g.Values(run)
	parts := make([]string, len(g))
	for i, p := range g {
		parts[i] = p.Key + "=" + vals[i]
	}
	return strings.Join(parts, " ")
}

// ParseSet reads one --set argument: KEY=V1,V2,... Each value may also be
// a range FROM..TO:STEP (STEP 1 when left out), expanded to every value
// from FROM to TO inclusive; a range of integers gives integers, otherwise
// the values are written with as many decimals as the widest of FROM, TO
// and STEP, so 0.1..0.3:0.1 gives 0.1, 0.2, 0.3 and not 0.30000000000000004.
func ParseSet(s string) (Param, error) {
	key, list, ok := strings.Cut(s, "=")
	key = strings.TrimSpace(key)
	if !ok || key == "" {
		return Param{}, fmt.Errorf("--set %q: want KEY=V1,V2,... (e.g. seed=1,2,3 or net.inputs.stim.poisson.rate_hz=10..50:10)", s)
	}
	if _, err := parseKey(key); err != nil {
		return Param{}, err
	}
	p := Param{Key: key}
	for _, v := range strings.Split(list, ",") {
		v = strings.TrimSpace(v)
		if v == "" {
			return Param{}, fmt.Errorf("--set %s: empty value in %q (two commas in a row, or one at the end?)", key, list)
		}
		if !isRange(v) {
			p.Values = append(p.Values, v)
			continue
		}
		vals, err := expandRange(v, MaxRuns-len(p.Values))
		if err != nil {
			return Param{}, fmt.Errorf("--set %s: %w", key, err)
		}
		p.Values = append(p.Values, vals...)
	}
	if len(p.Values) > MaxRuns {
		return Param{}, fmt.Errorf("--set %s: %d values, more than the %d one sweep may have", key, len(p.Values), MaxRuns)
	}
	return p, nil
}

// isRange says whether v is written as a range. A value that merely
// contains ".." (a file name such as ../x.csv) is a range only if it
// starts like a number.
func isRange(v string) bool {
	from, _, ok := strings.Cut(v, "..")
	if !ok {
		return false
	}
	_, err := strconv.ParseFloat(from, 64)
	return err == nil
}

// expandRange expands FROM..TO[:STEP] into at most limit values.
func expandRange(v string, limit int) ([]string, error) {
	from, rest, _ := strings.Cut(v, "..")
	to, step, hasStep := strings.Cut(rest, ":")
	if !hasStep {
		step = "1"
	}
	a, errA := strconv.ParseFloat(from, 64)
	b, errB := strconv.ParseFloat(to, 64)
	d, errD := strconv.ParseFloat(step, 64)
	if errA != nil || errB != nil || errD != nil || !finite(a) || !finite(b) || !finite(d) {
		return nil, fmt.Errorf("range %q: want FROM..TO or FROM..TO:STEP with numbers, e.g. 10..50:10", v)
	}
	if !(d > 0) {
		return nil, fmt.Errorf("range %q: the step must be > 0", v)
	}
	if b < a {
		return nil, fmt.Errorf("range %q: TO is below FROM", v)
	}
	if (b-a)/d >= float64(limit) {
		return nil, fmt.Errorf("range %q has more than %d values", v, limit)
	}
	ai, errA := strconv.ParseInt(from, 10, 64)
	bi, errB := strconv.ParseInt(to, 10, 64)
	di, errD := strconv.ParseInt(step, 10, 64)
	if errA == nil && errB == nil && errD == nil {
		// Integers are counted in integers: a float would lose the last
		// digits of a seed near 2^63. The difference is taken unsigned,
		// which is exact for bi ≥ ai whatever their signs.
		n := (uint64(bi)-uint64(ai))/uint64(di) + 1
		out := make([]string, n)
		for i := range out {
			out[i] = strconv.FormatInt(int64(uint64(ai)+uint64(i)*uint64(di)), 10)
		}
		return out, nil
	}
	// The count allows for the rounding of decimal steps: 0.1..0.3:0.1 is
	// 1.9999999999999998 steps and has 3 values, not 2.
	n := int(math.Floor((b-a)/d+1e-9)) + 1
	decimals := max(decimalsOf(from), decimalsOf(to), decimalsOf(step))
	out := make([]string, n)
	for i := range out {
		out[i] = strconv.FormatFloat(a+float64(i)*d, 'f', decimals, 64)
	}
	return out, nil
}

func finite(x float64) bool { return !math.IsInf(x, 0) && !math.IsNaN(x) }

// decimalsOf counts the digits after the decimal point of a number as
// written (0 for 12 and for 1e3; an exponent form counts as written out
// to its last significant decimal, so 5e-2 has 2).
func decimalsOf(s string) int {
	s = strings.ToLower(strings.TrimLeft(s, "+-"))
	mant, exp, hasExp := strings.Cut(s, "e")
	n := 0
	if _, frac, ok := strings.Cut(mant, "."); ok {
		n = len(frac)
	}
	if hasExp {
		e, err := strconv.Atoi(exp)
		if err != nil {
			return n
		}
		n -= e
	}
	return min(max(n, 0), 12)
}
