package trace

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/chip"
	"github.com/tessera-sim/tessera/chip/preset"
	"github.com/tessera-sim/tessera/compiler"
	"github.com/tessera-sim/tessera/compiler/image"
)

const (
	twoPop    = "../testdata/two_pop.yaml"
	randomNet = "../testdata/random_net.yaml"
)

func compileNet(t testing.TB, file string, spec preset.Spec) *image.Image {
	t.Helper()
	img, _, err := compiler.CompileFileWith(file, spec, compiler.Options{Placement: compiler.PlaceInOrder})
	require.NoError(t, err)
	return img
}

func runNet(t testing.TB, img *image.Image, steps int, tr chip.Tracer) *chip.Result {
	t.Helper()
	c, err := chip.New(img)
	require.NoError(t, err)
	res, err := c.Run(context.Background(), chip.Options{Steps: steps, Seed: 7, Tracer: tr})
	require.NoError(t, err)
	return res
}

// spikeKey is one spike as "population/neuron@time".
func spikeKey(pop string, n int32, t int64) string { return fmt.Sprintf("%s/%d@%d", pop, n, t) }

// expectedSpikes is res.Spikes as keys, for the neurons f selects and the
// window of f, sorted.
func expectedSpikes(t *testing.T, res *chip.Result, l Layout, f Filter) []string {
	s, err := f.compile(&l)
	require.NoError(t, err)
	var out []string
	for _, sp := range res.Spikes {
		if s.neuronOn(sp.Population, sp.Neuron) && s.in(sp.TimePS) {
			out = append(out, spikeKey(res.Populations[sp.Population], sp.Neuron, sp.TimePS))
		}
	}
	sort.Strings(out)
	return out
}

// --- a small VCD reader, strict about what our writer promises ---

type vcdSig struct {
	name  string // hierarchical, dot-separated
	typ   string
	width int
}

type vcdChange struct {
	t    int64
	id   string
	val  uint64
	dump bool // inside $dumpvars
}

type vcdDoc struct {
	timescale string
	sigs      map[string]*vcdSig // by id
	ids       map[string]string  // name → id
	changes   []vcdChange
	scopes    int // scopes opened
}

var printableID = regexp.MustCompile(`^[!-~]+$`)

// parseVCD reads a VCD and checks it: balanced scopes, identifiers declared
// once and printable, every change to a declared identifier, timestamps
// never decreasing, only 0/1 values.
func parseVCD(r io.Reader) (*vcdDoc, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	sc.Split(bufio.ScanWords)
	next := func() (string, bool) {
		if sc.Scan() {
			return sc.Text(), true
		}
		return "", false
	}
	untilEnd := func() ([]string, error) {
		var toks []string
		for {
			w, ok := next()
			if !ok {
				return nil, fmt.Errorf("missing $end")
			}
			if w == "$end" {
				return toks, nil
			}
			toks = append(toks, w)
		}
	}
	d := &vcdDoc{sigs: map[string]*vcdSig{}, ids: map[string]string{}}
	var path []string
	// Header.
	for done := false; !done; {
		w, ok := next()
		if !ok {
			return nil, fmt.Errorf("no $enddefinitions")
		}
		toks, err := untilEnd()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", w, err)
		}
		switch w {
		case "$timescale":
			d.timescale = strings.Join(toks, "")
		case "$scope":
			if len(toks) != 2 {
				return nil, fmt.Errorf("bad $scope %v", toks)
			}
			path = append(path, toks[1])
			d.scopes++
		case "$upscope":
			if len(path) == 0 {
				return nil, fmt.Errorf("$upscope without a scope")
			}
			path = path[:len(path)-1]
		case "$var":
			if len(toks) < 4 {
				return nil, fmt.Errorf("bad $var %v", toks)
			}
			width, err := strconv.Atoi(toks[1])
			if err != nil || width < 1 {
				return nil, fmt.Errorf("bad $var width %v", toks)
			}
			id := toks[2]
			if !printableID.MatchString(id) {
				return nil, fmt.Errorf("identifier %q is not printable ASCII 33..126", id)
			}
			if _, dup := d.sigs[id]; dup {
				return nil, fmt.Errorf("identifier %q declared twice", id)
			}
			if len(path) == 0 {
				return nil, fmt.Errorf("$var %v outside every scope", toks)
			}
			name := strings.Join(append(append([]string{}, path...), toks[3]), ".")
			if _, dup := d.ids[name]; dup {
				return nil, fmt.Errorf("signal %q declared twice", name)
			}
			d.sigs[id] = &vcdSig{name: name, typ: toks[0], width: width}
			d.ids[name] = id
		case "$enddefinitions":
			done = true
		case "$date", "$version", "$comment":
		default:
			return nil, fmt.Errorf("unknown header command %s", w)
		}
	}
	if len(path) != 0 {
		return nil, fmt.Errorf("%d scopes left open", len(path))
	}
	// Body.
	t, dump := int64(-1), false
	change := func(id string, val uint64) error {
		if _, ok := d.sigs[id]; !ok {
			return fmt.Errorf("change of undeclared identifier %q at #%d", id, t)
		}
		if t < 0 {
			return fmt.Errorf("change of %q before the first timestamp", id)
		}
		d.changes = append(d.changes, vcdChange{t: t, id: id, val: val, dump: dump})
		return nil
	}
	for {
		w, ok := next()
		if !ok {
			break
		}
		switch {
		case w[0] == '#':
			nt, err := strconv.ParseInt(w[1:], 10, 64)
			if err != nil {
				return nil, fmt.Errorf("bad timestamp %q", w)
			}
			if nt < t {
				return nil, fmt.Errorf("time goes back from #%d to #%d", t, nt)
			}
			t = nt
		case w == "$dumpvars" || w == "$dumpall" || w == "$dumpon" || w == "$dumpoff":
			dump = true
		case w == "$end":
			dump = false
		case w == "$comment":
			if _, err := untilEnd(); err != nil {
				return nil, err
			}
		case w[0] == '0' || w[0] == '1':
			if err := change(w[1:], uint64(w[0]-'0')); err != nil {
				return nil, err
			}
		case w[0] == 'b' || w[0] == 'B':
			v, err := strconv.ParseUint(w[1:], 2, 64)
			if err != nil {
				return nil, fmt.Errorf("bad vector value %q at #%d", w, t)
			}
			id, ok := next()
			if !ok {
				return nil, fmt.Errorf("vector value %q without identifier", w)
			}
			if err := change(id, v); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("unexpected %q at #%d", w, t)
		}
	}
	return d, sc.Err()
}

var spikeSig = regexp.MustCompile(`^chip\.pop_(.+)\.n(\d+)\.spike$`)

// spikes returns every 1 written to a spike signal, as sorted keys.
func (d *vcdDoc) spikes() []string {
	var out []string
	for _, c := range d.changes {
		m := spikeSig.FindStringSubmatch(d.sigs[c.id].name)
		if m == nil || c.val != 1 {
			continue
		}
		n, _ := strconv.Atoi(m[2])
		out = append(out, spikeKey(m[1], int32(n), c.t))
	}
	sort.Strings(out)
	return out
}

// series returns the changes of one signal, in order.
func (d *vcdDoc) series(name string) []vcdChange {
	id, ok := d.ids[name]
	if !ok {
		return nil
	}
	var out []vcdChange
	for _, c := range d.changes {
		if c.id == id {
			out = append(out, c)
		}
	}
	return out
}

// valueAt is a signal's value at time t (after the changes at t).
func (d *vcdDoc) valueAt(name string, t int64) uint64 {
	var v uint64
	for _, c := range d.series(name) {
		if c.t > t {
			break
		}
		v = c.val
	}
	return v
}

// highPS is how long a 1-bit signal was 1 until end.
func (d *vcdDoc) highPS(name string, end int64) int64 {
	var sum, since int64
	high := false
	for _, c := range d.series(name) {
		if high {
			sum += c.t - since
		}
		high, since = c.val == 1, c.t
	}
	if high {
		sum += end - since
	}
	return sum
}

func (d *vcdDoc) names() []string {
	var out []string
	for n := range d.ids {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
