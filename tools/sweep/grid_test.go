package sweep

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The first parameter varies slowest, the last fastest, as nested loops
// in grid order would.
func TestGridOrder(t *testing.T) {
	g := Grid{
		{Key: "seed", Values: []string{"1", "2"}},
		{Key: "preset.mesh.width", Values: []string{"2", "3", "4"}},
	}
	require.NoError(t, g.Validate())
	require.Equal(t, 6, g.Runs())
	var got []string
	for run := range g.Runs() {
		got = append(got, strings.Join(g.Values(run), " "))
	}
	assert.Equal(t, []string{"1 2", "1 3", "1 4", "2 2", "2 3", "2 4"}, got)
	assert.Equal(t, "seed=2 preset.mesh.width=3", g.Describe(4))
	assert.Equal(t, 1, Grid{}.Runs(), "an empty grid is one run of the network as it is")
}

func TestGridValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		grid Grid
		want string
	}{
		{"twice", Grid{{"seed", []string{"1"}}, {"seed", []string{"2"}}}, "key seed is given twice"},
		{"no values", Grid{{"seed", nil}}, "key seed has no values"},
		{"empty value", Grid{{"seed", []string{"1", " "}}}, "key seed has an empty value"},
		{"unknown", Grid{{"rate", []string{"1"}}}, `unknown key "rate"`},
		{"no path", Grid{{"net", []string{"1"}}}, `key "net" needs a path after net.`},
		{"empty path", Grid{{"net.", []string{"1"}}}, `key "net." needs a path`},
		{"double dot", Grid{{"net.a..b", []string{"1"}}}, "empty path segment"},
		{"overlap", Grid{{"preset.core.syn_op", []string{"{energy_fj: 1}"}}, {"preset.core.syn_op.energy_fj", []string{"2"}}},
			"keys preset.core.syn_op and preset.core.syn_op.energy_fj overlap"},
		{"too big", Grid{{"seed", values(1000)}, {"net.a", values(1000)}}, "the grid has 1000000 configurations, more than the 100000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.ErrorContains(t, tc.grid.Validate(), tc.want)
		})
	}
}

func values(n int) []string {
	v := make([]string, n)
	for i := range v {
		v[i] = "1"
	}
	return v
}

func TestParseSet(t *testing.T) {
	for _, tc := range []struct {
		in   string
		key  string
		want []string
	}{
		{"seed=1,2,3", "seed", []string{"1", "2", "3"}},
		{" seed = 1, 2 ", "seed", []string{"1", "2"}},
		{"seed=1..4", "seed", []string{"1", "2", "3", "4"}},
		{"seed=0..10:5,42", "seed", []string{"0", "5", "10", "42"}},
		{"seed=-2..2:2", "seed", []string{"-2", "0", "2"}},
		{"net.inputs.x.poisson.rate_hz=0.1..0.3:0.1", "net.inputs.x.poisson.rate_hz", []string{"0.1", "0.2", "0.3"}},
		{"net.a=0..1:0.25", "net.a", []string{"0.00", "0.25", "0.50", "0.75", "1.00"}},
		{"net.a=1e3..2e3:500", "net.a", []string{"1000", "1500", "2000"}},
		{"net.a=1..2:5", "net.a", []string{"1"}},
		{"net.a=../x.csv", "net.a", []string{"../x.csv"}},
		{"preset.mesh_model=hop,cycle", "preset.mesh_model", []string{"hop", "cycle"}},
		{"seed=9223372036854775806..9223372036854775807", "seed", []string{"9223372036854775806", "9223372036854775807"}},
	} {
		p, err := ParseSet(tc.in)
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.key, p.Key, tc.in)
		assert.Equal(t, tc.want, p.Values, tc.in)
	}
	for in, want := range map[string]string{
		"seed":            "want KEY=V1,V2",
		"=1":              "want KEY=V1,V2",
		"seed=1,,2":       "empty value",
		"seed=":           "empty value",
		"speed=1":         `unknown key "speed"`,
		"seed=5..1":       "TO is below FROM",
		"seed=1..5:0":     "step must be > 0",
		"seed=1..5:-1":    "step must be > 0",
		"seed=1..x":       "want FROM..TO",
		"seed=0..1e9":     "more than 100000 values",
		"net.a=0..1:1e-9": "more than 100000 values",
		"net.a=1..NaN":    "want FROM..TO",
		"net.a=-Inf..0:1": "want FROM..TO",
		"net.a=0..Inf":    "want FROM..TO",
	} {
		_, err := ParseSet(in)
		assert.ErrorContains(t, err, want, in)
	}
}
