package sweep

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"go.yaml.in/yaml/v3"
	"golang.org/x/sync/errgroup"

	"github.com/tessera-sim/tessera/chip"
	"github.com/tessera-sim/tessera/chip/preset"
	"github.com/tessera-sim/tessera/compiler"
	"github.com/tessera-sim/tessera/compiler/graph"
	"github.com/tessera-sim/tessera/compiler/image"
	"github.com/tessera-sim/tessera/compiler/netfile"
	"github.com/tessera-sim/tessera/compiler/nir"
)

// Config is one sweep: what to run, over which grid, and where to write.
type Config struct {
	// Network is the network file (YAML or JSON) or NIR graph (.nir).
	Network string
	// Preset is a built-in preset name or a preset .yaml file; "" is
	// preset.Default.
	Preset string
	Grid   Grid
	// Steps is the timesteps of every run, ≥ 1.
	Steps int
	// Out is the sweep's directory: sweep.json, sweep.csv, runs/NNNN/.
	Out string
	// Jobs is how many configurations run at once; 0 means one per CPU.
	// Each run sweeps its cores on one goroutine, so Jobs is the whole
	// parallelism. Results do not depend on it.
	Jobs int
	// Spikes also writes each run's spikes.csv (every recorded spike; large
	// for big networks, hence off by default).
	Spikes bool
	// Placement, PlaceSeed and Pack are the compiler's options, the same
	// for every configuration.
	Placement compiler.Placement
	PlaceSeed uint64
	Pack      bool
	// DtPS is the time step of a NIR graph, which stores none.
	DtPS int64
	// Progress, if set, is called after each finished configuration with
	// (configurations done, total), from one goroutine at a time.
	Progress func(done, total int)
}

// Sweep is a checked Config, ready to run: its keys are parsed and vetted
// against the network and preset files, so that a typo fails before the
// first run rather than after the hundredth.
type Sweep struct {
	cfg        Config
	keys       []key
	netData    []byte // the network file as read (YAML and JSON networks)
	presetData []byte // the preset file as read, when Preset is a file
	hasNet     bool   // some key is a net.* key
	hasPreset  bool   // some key is a preset.* key
	// images holds the compiled images that Run shares among
	// configurations differing only in their seed (nil in RunTask, which
	// runs one); compiles counts the compilations made, for tests.
	images   *imageCache
	compiles atomic.Int64
}

// imageCache shares a compiled image among the configurations with the
// same preset and network values: the seed changes only the run, so a
// seed sweep compiles once. A chip never writes to its image (plastic
// weights are copied into the core), so runs may share one. An entry is
// dropped when its last configuration has taken it, so the cache holds
// only the images of configurations in flight or still to come.
type imageCache struct {
	keyOf   []string // each configuration's compile key
	mu      sync.Mutex
	entries map[string]*cachedImage
}

type cachedImage struct {
	once  sync.Once
	img   *image.Image
	err   error
	users int // configurations that have not taken it yet
}

// newImageCache takes each configuration's compile key and counts, for
// each key, the configurations that will ask for it.
func newImageCache(keys []string) *imageCache {
	c := &imageCache{keyOf: keys, entries: map[string]*cachedImage{}}
	for _, k := range keys {
		e := c.entries[k]
		if e == nil {
			e = &cachedImage{}
			c.entries[k] = e
		}
		e.users++
	}
	return c
}

// take returns configuration run's image, compiling it with build the
// first time its key is asked for.
func (c *imageCache) take(run int, build func() (*image.Image, error)) (*image.Image, error) {
	key := c.keyOf[run]
	c.mu.Lock()
	e := c.entries[key]
	c.mu.Unlock()
	e.once.Do(func() { e.img, e.err = build() })
	c.mu.Lock()
	if e.users--; e.users == 0 {
		delete(c.entries, key)
	}
	c.mu.Unlock()
	return e.img, e.err
}

// compileKey is what decides configuration run's image: its values of
// every key but the seed.
func (s *Sweep) compileKey(run int) string {
	var b strings.Builder
	for i, v := range s.cfg.Grid.Values(run) {
		if s.keys[i].kind != keySeed {
			b.WriteString(v)
			b.WriteByte(0)
		}
	}
	return b.String()
}

// New checks cfg and reads the network (and preset) file once. Paths
// become absolute, so that sweep.json and a Slurm script work from any
// directory.
func New(cfg Config) (*Sweep, error) {
	if err := cfg.Grid.Validate(); err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	if cfg.Steps < 1 {
		return nil, fmt.Errorf("sweep: steps must be ≥ 1, got %d", cfg.Steps)
	}
	if cfg.Out == "" {
		return nil, errors.New("sweep: no output directory")
	}
	if cfg.Preset == "" {
		cfg.Preset = preset.Default
	}
	if cfg.Placement == "" {
		cfg.Placement = compiler.PlaceAnneal
	}
	if cfg.Jobs <= 0 {
		cfg.Jobs = runtime.GOMAXPROCS(0)
	}
	var err error
	if cfg.Network, err = filepath.Abs(cfg.Network); err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	if cfg.Out, err = filepath.Abs(cfg.Out); err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	s := &Sweep{cfg: cfg}
	if isPresetFile(cfg.Preset) {
		if s.cfg.Preset, err = filepath.Abs(cfg.Preset); err != nil {
			return nil, fmt.Errorf("sweep: %w", err)
		}
		if s.presetData, err = os.ReadFile(s.cfg.Preset); err != nil {
			return nil, fmt.Errorf("sweep: preset: %w", err)
		}
	} else if _, err := preset.Lookup(cfg.Preset); err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	nirGraph := strings.EqualFold(filepath.Ext(cfg.Network), ".nir")
	if nirGraph && cfg.DtPS <= 0 {
		return nil, fmt.Errorf("sweep: %s: a NIR graph stores no time step: give one (--dt, e.g. 1ms)", cfg.Network)
	}
	if !nirGraph {
		if s.netData, err = os.ReadFile(cfg.Network); err != nil {
			return nil, fmt.Errorf("sweep: %w", err)
		}
	}
	var errs []error
	for _, p := range cfg.Grid {
		k, _ := parseKey(p.Key) // Validate has parsed every key
		s.keys = append(s.keys, k)
		if err := s.check(p, k); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	return s, nil
}

// check vets a parameter before anything runs: its path exists, and each
// value reads as what the key takes. Whether a value is acceptable (a
// width the chip can have, a rate ≥ 0) is left to the preset and network
// readers, run by run, since it can depend on the other parameters.
func (s *Sweep) check(p Param, k key) error {
	switch k.kind {
	case keySeed:
		for _, v := range p.Values {
			if _, err := strconv.ParseUint(v, 10, 64); err != nil {
				return fmt.Errorf("seed %q: a seed is a whole number ≥ 0", v)
			}
		}
		return nil
	case keyPreset:
		if err := checkPresetPath(k.path); err != nil {
			return err
		}
		if s.presetData != nil {
			if _, err := presetTree(s.cfg.Preset, s.presetData); err != nil {
				return err
			}
		}
		s.hasPreset = true
	case keyNet:
		ext := strings.ToLower(filepath.Ext(s.cfg.Network))
		if ext != ".yaml" && ext != ".yml" {
			return fmt.Errorf("%s: net.* keys edit a YAML network file (.yaml or .yml); %s is not one (a JSON network is also YAML: save it as .yaml to sweep it)", p.Key, s.cfg.Network)
		}
		s.hasNet = true
	}
	var first *yaml.Node
	for _, v := range p.Values {
		val, err := scalarNode(v)
		if err != nil {
			return fmt.Errorf("%s: %w", p.Key, err)
		}
		if first == nil {
			first = val
		}
	}
	if k.kind == keyNet {
		// Setting the first value on the file as it is finds a path that
		// does not exist, and says what does exist there.
		root, err := netTree(s.cfg.Network, s.netData)
		if err != nil {
			return err
		}
		return setNet(root, k.path, first)
	}
	return nil
}

// Config returns the checked configuration (absolute paths, defaults
// filled in).
func (s *Sweep) Config() Config { return s.cfg }

// Runs is the number of configurations.
func (s *Sweep) Runs() int { return s.cfg.Grid.Runs() }

func isPresetFile(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return ext == ".yaml" || ext == ".yml"
}

// netTree parses a YAML network file into its root node.
func netTree(path string, data []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: the network file is not a YAML mapping", path)
	}
	return doc.Content[0], nil
}

// presetTree parses a preset file into its root node (a new, empty
// mapping for an empty file).
func presetTree(path string, data []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("preset %s: %w", path, err)
	}
	if len(doc.Content) == 0 {
		return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}, nil
	}
	if doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("preset %s: the file is not a YAML mapping", path)
	}
	return doc.Content[0], nil
}

// setting is one configuration: its number, its values in grid order, and
// the run seed among them (1 when seed is not swept).
type setting struct {
	run    int
	seed   uint64
	values []string
}

func (s *Sweep) setting(run int) setting {
	st := setting{run: run, seed: 1, values: s.cfg.Grid.Values(run)}
	for i, k := range s.keys {
		if k.kind == keySeed {
			st.seed, _ = strconv.ParseUint(st.values[i], 10, 64) // checked in New
		}
	}
	return st
}

// buildPreset is the configuration's preset: the --preset as given when
// no preset key is swept (exactly what tessera run would use), else the
// preset file's tree — or "base: NAME" for a built-in — with the
// configuration's fields set, read by preset.Parse so that every field is
// checked as in a preset file.
func (s *Sweep) buildPreset(st setting) (preset.Spec, error) {
	if !s.hasPreset {
		if s.presetData != nil {
			return preset.Parse(s.cfg.Preset, s.presetData)
		}
		return preset.Lookup(s.cfg.Preset)
	}
	var root *yaml.Node
	source := s.cfg.Preset
	if s.presetData != nil {
		var err error
		if root, err = presetTree(s.cfg.Preset, s.presetData); err != nil {
			return preset.Spec{}, err
		}
	} else {
		root = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		_ = setPreset(root, []string{"base"}, &yaml.Node{Kind: yaml.ScalarNode, Value: s.cfg.Preset})
		source = "base " + s.cfg.Preset
	}
	for i, k := range s.keys {
		if k.kind != keyPreset {
			continue
		}
		val, err := scalarNode(st.values[i])
		if err != nil {
			return preset.Spec{}, err
		}
		if err := setPreset(root, k.path, val); err != nil {
			return preset.Spec{}, err
		}
	}
	data, err := yaml.Marshal(root)
	if err != nil {
		return preset.Spec{}, fmt.Errorf("preset: %w", err)
	}
	return preset.Parse(source+" with the sweep's fields", data)
}

// buildGraph is the configuration's network. With net.* keys the file's
// tree is edited, re-encoded and read again under the file's own path, so
// that its raster and recording files still resolve beside it. Positions
// in the reader's messages are then those of the re-encoded text.
func (s *Sweep) buildGraph(st setting) (*graph.Graph, error) {
	if s.netData == nil {
		g, _, err := nir.Import(s.cfg.Network, nir.Options{DtPS: s.cfg.DtPS})
		return g, err
	}
	if !s.hasNet {
		return netfile.Parse(s.cfg.Network, s.netData)
	}
	root, err := netTree(s.cfg.Network, s.netData)
	if err != nil {
		return nil, err
	}
	for i, k := range s.keys {
		if k.kind != keyNet {
			continue
		}
		val, err := scalarNode(st.values[i])
		if err != nil {
			return nil, err
		}
		if err := setNet(root, k.path, val); err != nil {
			return nil, err
		}
	}
	data, err := yaml.Marshal(root)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.cfg.Network, err)
	}
	g, err := netfile.Parse(s.cfg.Network, data)
	if err != nil {
		// The reader's positions are those of the re-encoded text, not of
		// the user's file: save that text where the message points.
		dir := s.RunDir(st.run)
		saved := filepath.Join(dir, "net.yaml")
		if mkErr := os.MkdirAll(dir, 0o755); mkErr == nil && os.WriteFile(saved, data, 0o644) == nil {
			return nil, fmt.Errorf("%w\n(positions are in the network with this run's values, saved as %s)", err, saved)
		}
	}
	return g, err
}

// RunDir is the output directory of configuration run: OUT/runs/NNNN,
// zero-padded to at least four digits and to the width of the largest
// run number, so that the directories sort in run order.
func (s *Sweep) RunDir(run int) string {
	width := max(4, len(strconv.Itoa(s.Runs()-1)))
	return filepath.Join(s.cfg.Out, "runs", fmt.Sprintf("%0*d", width, run))
}

// runOne compiles and runs configuration run and writes its directory:
// report.json, row.csv (its row of sweep.csv, which --collect gathers)
// and, if asked, spikes.csv.
func (s *Sweep) runOne(ctx context.Context, run int) (Row, error) {
	st := s.setting(run)
	row, err := s.runSetting(ctx, st)
	if err != nil {
		if len(s.cfg.Grid) == 0 {
			return Row{}, fmt.Errorf("run %d: %w", run, err)
		}
		return Row{}, fmt.Errorf("run %d (%s): %w", run, s.cfg.Grid.Describe(run), err)
	}
	return row, nil
}

// compile builds configuration st's preset and network and compiles them.
func (s *Sweep) compile(ctx context.Context, st setting) (*image.Image, error) {
	s.compiles.Add(1)
	spec, err := s.buildPreset(st)
	if err != nil {
		return nil, err
	}
	g, err := s.buildGraph(st)
	if err != nil {
		return nil, err
	}
	img, _, err := compiler.CompileContext(ctx, g, spec, compiler.Options{Placement: s.cfg.Placement, Seed: s.cfg.PlaceSeed, Pack: s.cfg.Pack})
	return img, err
}

func (s *Sweep) runSetting(ctx context.Context, st setting) (Row, error) {
	var img *image.Image
	var err error
	if s.images != nil {
		img, err = s.images.take(st.run, func() (*image.Image, error) { return s.compile(ctx, st) })
	} else {
		img, err = s.compile(ctx, st)
	}
	if err != nil {
		return Row{}, err
	}
	c, err := chip.New(img)
	if err != nil {
		return Row{}, err
	}
	// One goroutine per run: the sweep's parallelism is across runs,
	// which needs no synchronisation inside a step.
	res, err := c.Run(ctx, chip.Options{Steps: s.cfg.Steps, Seed: st.seed, Workers: 1})
	if err != nil {
		return Row{}, err
	}
	row := Row{Run: st.run, Values: st.values, Metrics: MetricsOf(&res.Report)}
	dir := s.RunDir(st.run)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Row{}, err
	}
	if err := writeFile(filepath.Join(dir, "report.json"), res.WriteReport); err != nil {
		return Row{}, err
	}
	if s.cfg.Spikes {
		if err := writeFile(filepath.Join(dir, "spikes.csv"), res.WriteSpikesCSV); err != nil {
			return Row{}, err
		}
	}
	err = writeFile(filepath.Join(dir, rowFile), func(w io.Writer) error {
		return writeRows(w, s.cfg.Grid, []Row{row})
	})
	return row, err
}

// Run runs every configuration on a pool of Jobs goroutines and writes
// sweep.json (first, so that an interrupted sweep can still be collected
// from the runs that finished), each run's directory and sweep.csv. It
// stops at the first failing configuration, or when ctx is done, and
// returns that error; rows come back in run order.
func (s *Sweep) Run(ctx context.Context) ([]Row, error) {
	if err := s.writeManifest(); err != nil {
		return nil, err
	}
	n := s.Runs()
	keys := make([]string, n)
	for run := range n {
		keys[run] = s.compileKey(run)
	}
	s.images = newImageCache(keys)
	defer func() { s.images = nil }()
	rows := make([]Row, n)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(s.cfg.Jobs)
	var mu sync.Mutex
	done := 0
	for run := range n {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error {
			row, err := s.runOne(gctx, run)
			if err != nil {
				return err
			}
			rows[run] = row
			mu.Lock()
			defer mu.Unlock()
			done++
			if s.cfg.Progress != nil {
				s.cfg.Progress(done, n)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := writeSummary(s.cfg.Out, s.cfg.Grid, rows); err != nil {
		return nil, err
	}
	return rows, nil
}

// RunTask runs configuration run alone — one Slurm array task — and
// writes its directory under runs/. Collect gathers the rows into
// sweep.csv once every task has finished.
func (s *Sweep) RunTask(ctx context.Context, run int) (Row, error) {
	if n := s.Runs(); run < 0 || run >= n {
		return Row{}, fmt.Errorf("sweep: task %d is out of range: the grid has %d configurations, 0..%d", run, n, n-1)
	}
	return s.runOne(ctx, run)
}

// writeFile creates path and fills it with fn.
func writeFile(path string, fn func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := fn(f); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	return f.Close()
}
