package netfile

import (
	"encoding/json"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSchemaMatchesFields checks that schema.json describes exactly the keys
// the parser accepts. Every object schema with properties carries the
// section's name as its title; its properties and required keys must be the
// section's in the table of fields.go, and it must refuse other keys.
func TestSchemaMatchesFields(t *testing.T) {
	var schema any
	require.NoError(t, json.Unmarshal(Schema, &schema), "schema.json is not valid JSON")
	top, ok := schema.(map[string]any)
	require.True(t, ok, "schema.json must hold an object")
	assert.Equal(t, "https://json-schema.org/draft/2020-12/schema", top["$schema"])

	found := map[string]bool{}
	mentioned := map[string]bool{} // every property name anywhere
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case []any:
			for _, x := range v {
				walk(path+"[]", x)
			}
		case map[string]any:
			if props, ok := v["properties"].(map[string]any); ok {
				for k := range props {
					mentioned[k] = true
				}
				if v["additionalProperties"] == false {
					title, _ := v["title"].(string)
					require.Contains(t, sections, title, "%s: a closed object schema must have a section's name as its title", path)
					assert.False(t, found[title], "%s: section %q described twice", path, title)
					found[title] = true
					assert.ElementsMatch(t, fieldNames(title), keys(props), "properties of %q", title)
					var want []string
					for _, f := range sections[title] {
						if f.required {
							want = append(want, f.name)
						}
					}
					var got []string
					if req, ok := v["required"].([]any); ok {
						for _, r := range req {
							got = append(got, r.(string))
						}
					}
					assert.ElementsMatch(t, want, got, "required fields of %q", title)
				}
			}
			for k, x := range v {
				walk(path+"/"+k, x)
			}
		}
	}
	walk("#", top)
	assert.ElementsMatch(t, keys(sections), keys(found), "every section has one closed object schema")
	all := map[string]bool{}
	for sec := range sections {
		for _, n := range fieldNames(sec) {
			all[n] = true
		}
	}
	for k := range mentioned {
		assert.True(t, all[k], "schema.json mentions property %q, which no section accepts", k)
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestSuggest(t *testing.T) {
	for _, tc := range []struct {
		word    string
		allowed []string
		want    string
	}{
		{"sise", fieldNames(secPopulation), "size"},
		{"nmae", fieldNames(secPopulation), "name"}, // swapped letters
		{"Size", fieldNames(secPopulation), "size"},
		{"weight-exp", fieldNames(secProjection), "weight_exp"},
		{"wieght", fieldNames(secProjection), "weight"},
		{"rate", fieldNames(secPoisson), "rate_hz"},
		{"threshold", fieldNames(secNeuron), "vth"},
		{"fixed", fieldNames(secConnectivity), "fixed_probability"},
		{"plasticity", fieldNames(secNetwork), ""},
		{"learning", fieldNames(secProjection), "plasticity"},
		{"epoch", fieldNames(secPlasticity), "t_epoch"},
		{"weight_bits", fieldNames(secPlasticity), "num_weight_bits"},
		{"decay", fieldNames(secTrace), "tau"},
		{"STDP", namedRules(), "pair_stdp"},
		{"xyz", fieldNames(secNeuron), ""},
		{"", fieldNames(secNeuron), ""},
	} {
		assert.Equal(t, tc.want, suggest(tc.word, tc.allowed), "suggest(%q)", tc.word)
	}
}

func TestEditDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"kitten", "sitting", 3}, {"bsae", "base", 1}, {"ab", "ba", 1},
		{"abc", "ca", 3}, {"µs", "us", 1}, {"size", "size", 0}, {"", "dt", 2},
	} {
		assert.Equal(t, tc.want, editDistance(tc.a, tc.b), "%q %q", tc.a, tc.b)
		assert.Equal(t, tc.want, editDistance(tc.b, tc.a), "%q %q", tc.b, tc.a)
	}
}
