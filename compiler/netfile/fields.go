package netfile

import (
	_ "embed"
	"strings"
	"unicode/utf8"
)

// Schema is the JSON Schema (draft 2020-12) of the network file format. Editors
// that understand JSON Schema use it to complete and check network files as
// they are typed; Parse does not need it and checks more than it can express
// (names that refer to each other, list lengths that depend on a size).
//
//go:embed schema.json
var Schema []byte

// Names of the mappings a network file is made of. They are the "title" of the
// matching object in schema.json.
const (
	secNetwork          = "network"
	secPopulation       = "population"
	secNeuron           = "neuron"
	secInput            = "input"
	secRaster           = "raster"
	secPoisson          = "poisson"
	secEvents           = "events"
	secProjection       = "projection"
	secWeight           = "weight" // a projection's random weight
	secConnectivity     = "connectivity"
	secFixedProbability = "fixed_probability"
	secProbe            = "probe"
	secPlasticity       = "plasticity"
	secTrace            = "trace"
)

// field is one key that a mapping of the network file accepts.
type field struct {
	name string
	// required fields must always be given. Fields that are mandatory only in
	// some cases (weight, the source of an input, du and dv for model lif,
	// vth under units: hardware, v_th under units: bio) are checked in code.
	required bool
}

// sections is the one table of keys the parser accepts, for each kind of
// mapping, in the order the documentation lists them. Any other key is an
// error, and TestSchemaMatchesFields checks that schema.json names exactly
// these keys with the same required ones.
var sections = map[string][]field{
	secNetwork: {
		{"name", false}, {"dt", true}, {"units", true},
		{"populations", false}, {"inputs", false}, {"projections", false}, {"probes", false},
	},
	secPopulation: {{"name", true}, {"size", true}, {"neuron", true}},
	secNeuron: {
		{"model", false}, {"du", false}, {"dv", false}, {"vth", false},
		{"bias_mant", false}, {"bias_exp", false}, {"u_init", false}, {"v_init", false},
		{"refractory_steps", false}, {"theta_step", false}, {"dtheta", false},
		{"graded_bits", false}, {"noise", false}, {"noise_exp", false},
		// units: bio (see bio.go); the hardware fields above are refused
		// under bio but v_init and graded_bits, and these under hardware.
		{"tau_mem", false}, {"tau_syn", false}, {"v_rest", false}, {"v_reset", false},
		{"v_th", false}, {"refractory", false},
	},
	secInput:   {{"name", true}, {"size", true}, {"raster", false}, {"poisson", false}, {"events", false}},
	secRaster:  {{"spikes", false}, {"file", false}},
	secPoisson: {{"rate_hz", true}, {"seed", true}},
	secEvents: {
		{"file", true}, {"sensor", false}, {"crop", false}, {"pool", false}, {"polarity", false},
		{"t0_us", false}, {"start_us", false}, {"duration_us", false},
	},
	secProjection: {
		{"name", false}, {"pre", true}, {"post", true}, {"connectivity", true},
		{"weight", false}, {"weight_exp", false}, {"delay", false}, {"plasticity", false},
	},
	secWeight: {{"uniform", true}, {"seed", true}},
	secPlasticity: {
		{"rule", true}, {"t_epoch", false},
		{"x1", false}, {"x2", false}, {"y1", false}, {"y2", false}, {"y3", false},
		{"sign_mode", false}, {"num_weight_bits", false},
	},
	secTrace:            {{"impulse", true}, {"tau", true}},
	secConnectivity:     {{"fixed_probability", false}, {"list", false}},
	secFixedProbability: {{"p", true}, {"seed", true}},
	secProbe:            {{"population", true}, {"record", true}, {"neurons", false}},
}

// fieldNames returns the keys a section accepts, in documentation order.
func fieldNames(sec string) []string {
	fs := sections[sec]
	names := make([]string, len(fs))
	for i, f := range fs {
		names[i] = f.name
	}
	return names
}

// isField says whether sec accepts the key name.
func isField(sec, name string) bool {
	for _, f := range sections[sec] {
		if f.name == name {
			return true
		}
	}
	return false
}

// synonyms are words a newcomer may try for a field or value, mapped to the
// one the format uses. They are only suggested where the target is allowed.
var synonyms = map[string]string{
	"threshold":   "vth",
	"v_th":        "vth",
	"type":        "model",
	"count":       "size",
	"n":           "size",
	"num_neurons": "size",
	"rate":        "rate_hz",
	"frequency":   "rate_hz",
	"bias":        "bias_mant",
	"connection":  "connectivity",
	"connections": "connectivity",
	"conn":        "connectivity",
	"source":      "pre",
	"target":      "post",
	"from":        "pre",
	"to":          "post",
	"prob":        "p",
	"probability": "p",
	"timestep":    "dt",
	"biological":  "bio",
	"biology":     "bio",
	"step":        "dt",
	"spike":       "spikes",
	"voltage":     "v",
	"current":     "u",
	"all2all":     "all_to_all",
	"one2one":     "one_to_one",
	// Neuron models and their options.
	"integrate_and_fire":       "if",
	"iaf":                      "if",
	"leaky_integrate_and_fire": "lif",
	"refractory_period":        "refractory_steps",
	"t_ref":                    "refractory_steps",
	"refractory_time":          "refractory_steps",
	"theta_decay":              "dtheta",
	"graded_spikes":            "graded_bits",
	"noise_target":             "noise",
	"noise_exponent":           "noise_exp",
	// Plasticity.
	"learning":      "plasticity",
	"learning_rule": "plasticity",
	"plastic":       "plasticity",
	"epoch":         "t_epoch",
	"sign":          "sign_mode",
	"weight_bits":   "num_weight_bits",
	"stdp":          "pair_stdp",
	"decay":         "tau",
	// Random weights.
	"range":  "uniform",
	"random": "uniform",
	"min":    "uniform",
	"max":    "uniform",
	"lo":     "uniform",
	"hi":     "uniform",
}

// suggest returns the word of allowed that the user probably meant by word,
// or "" when none is close enough to be a good guess.
func suggest(word string, allowed []string) string {
	w := strings.ToLower(strings.TrimSpace(word))
	w = strings.NewReplacer("-", "_", " ", "_").Replace(w)
	if w == "" {
		return ""
	}
	if s, ok := synonyms[w]; ok {
		for _, a := range allowed {
			if a == s {
				return a
			}
		}
	}
	best, bestDist := "", -1
	for _, a := range allowed {
		if a == w {
			return a // differs only in case, '-' or spaces
		}
		if d := editDistance(w, a); bestDist < 0 || d < bestDist {
			best, bestDist = a, d
		}
	}
	limit := 1
	switch n := utf8.RuneCountInString(w); {
	case n >= 9:
		limit = 3
	case n >= 5:
		limit = 2
	}
	if bestDist >= 0 && bestDist <= limit {
		return best
	}
	// A prefix of a longer name: "rate" for "rate_hz", "fixed" for
	// "fixed_probability".
	if utf8.RuneCountInString(w) >= 3 {
		for _, a := range allowed {
			if strings.HasPrefix(a, w) {
				return a
			}
		}
	}
	return ""
}

// editDistance is the edit distance between a and b, in runes: insertions,
// deletions, substitutions and transpositions of two neighbours (the
// optimal-string-alignment distance), each costing 1, since swapped
// letters ("bsae" for "base") are as common a typo as a wrong one.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	// three rows: i-2, i-1 and i
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

// DidYouMean is the suggestion the network file's errors end with: among
// allowed, the name the user probably meant by word (a typo, another case
// or separator, a prefix, a common synonym), as `; did you mean "x"?`, or
// "" when none is close enough. Other readers of names (tessera sweep's
// keys) use it so that every message suggests alike.
func DidYouMean(word string, allowed []string) string { return didYouMean(word, allowed) }

// didYouMean is DidYouMean.
func didYouMean(word string, allowed []string) string {
	if s := suggest(word, allowed); s != "" {
		return "; did you mean " + quote(s) + "?"
	}
	return ""
}
