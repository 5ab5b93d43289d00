package netfile

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/tessera-sim/tessera/compiler/events"
	"github.com/tessera-sim/tessera/compiler/graph"
)

// maxSensorSide is the largest sensor side (pixels) an events source
// accepts; the formats store coordinates in at most 16 bits.
const maxSensorSide = 1 << 16

// eventSource reads an events source: an event-camera recording whose
// pixels a retina maps onto the input's channels, its microseconds binned
// into timesteps of dt. The spikes become the input's raster. size is the
// input's size (-1 if invalid), written at sizeNode.
func (p *parser) eventSource(n *yaml.Node, src *graph.InputSource, size int, sizeNode *yaml.Node) {
	f, ok := p.mapping(n, secEvents, "events")
	if !ok {
		return
	}
	var r events.Retina
	tm := events.Timing{StepPS: p.dtPS}
	good := true
	sensor := f.get("sensor")
	if sensor != nil {
		if v, ok := p.ints(sensor, "sensor", "[width, height]", 2, 1, maxSensorSide); ok {
			r.Width, r.Height = int(v[0]), int(v[1])
		} else {
			good = false
		}
	}
	if n := f.get("crop"); n != nil {
		if v, ok := p.ints(n, "crop", "[x, y, width, height]", 4, 0, maxSensorSide); ok {
			r.Crop = events.Rect{X: int(v[0]), Y: int(v[1]), Width: int(v[2]), Height: int(v[3])}
			if r.Crop.Width == 0 || r.Crop.Height == 0 {
				p.errorf(n, "crop width and height must be at least 1; got %d×%d", r.Crop.Width, r.Crop.Height)
				good = false
			}
		} else {
			good = false
		}
	}
	if n := f.get("pool"); n != nil {
		v, ok := p.integer(n, "pool", 1, maxSensorSide)
		r.Pool, good = int(v), good && ok
	}
	if n := f.get("polarity"); n != nil {
		if s, ok := p.str(n, "polarity"); ok {
			pol, err := events.ParsePolarity(s)
			if err != nil {
				names := events.PolarityNames()
				p.errorf(n, "unknown polarity %s%s (allowed: %s)", quote(clip(s)), didYouMean(s, names), strings.Join(names, ", "))
				good = false
			}
			r.Polarity = pol
		} else {
			good = false
		}
	}
	const maxMicros = 1 << 53 // 285 years: any recording
	if n := f.get("t0_us"); n != nil {
		v, ok := p.integer(n, "t0_us", 0, maxMicros)
		tm.Origin, tm.FixedOrigin, good = v, true, good && ok
	}
	if n := f.get("start_us"); n != nil {
		v, ok := p.integer(n, "start_us", 0, maxMicros)
		tm.StartMicros, good = v, good && ok
	}
	if n := f.get("duration_us"); n != nil {
		v, ok := p.integer(n, "duration_us", 1, maxMicros)
		tm.DurationMicros, good = v, good && ok
	}
	fileNode := f.get("file")
	if fileNode == nil {
		return // reported as a missing required field
	}
	path, fileNode, ok := p.sourceFile(fileNode, "an event-camera recording (.aedat, .aedat4, .raw, .dat, .bin)")
	if !ok {
		return
	}
	src.File = path
	rec, err := events.ReadFile(path)
	if err != nil {
		p.errorf(fileNode, "cannot read event recording: %v%s", err, relativeHint(path, fileNode))
		return
	}
	if !good || p.dtPS <= 0 {
		return // the errors above (or dt's) come first
	}
	st := rec.Stats()
	switch {
	case sensor == nil && rec.Width == 0:
		p.errorf(f.node, "the %s recording %s does not state its sensor size; add sensor: [width, height] (its events reach x = %d, y = %d)",
			rec.Format, filepath.Base(path), st.MaxX, st.MaxY)
		return
	case sensor == nil:
		r.Width, r.Height = rec.Width, rec.Height
	case rec.Width > 0 && (rec.Width != r.Width || rec.Height != r.Height):
		p.errorf(sensor, "sensor is %d×%d but the recording %s says %d×%d; remove sensor to use the recording's",
			r.Width, r.Height, filepath.Base(path), rec.Width, rec.Height)
		return
	}
	if err := st.CheckSensor(r.Width, r.Height); err != nil {
		at := f.node
		if sensor != nil {
			at = sensor
		}
		p.errorf(at, "recording %s: %v", filepath.Base(path), err)
		return
	}
	if err := r.Validate(); err != nil {
		p.errorf(f.node, "%v", err)
		return
	}
	if size > 0 && size != r.Channels() {
		p.errorf(sizeNode, "size is %d but the events source has %s; set size: %d", size, r, r.Channels())
		return
	}
	m, err := rec.Map(r, tm)
	if err != nil {
		p.errorf(f.node, "%v", err)
		return
	}
	src.Spikes = m.Spikes
}

// ints reads a list of exactly count integers in lo..hi; want describes it
// for the message (such as "[width, height]").
func (p *parser) ints(n *yaml.Node, what, want string, count int, lo, hi int64) ([]int64, bool) {
	items, ok := p.list(n, what, "a list "+want)
	if !ok {
		return nil, false
	}
	if len(items) != count {
		n, _ = p.resolve(n)
		p.errorf(n, "%s has %d values; it is %s", what, len(items), want)
		return nil, false
	}
	out := make([]int64, count)
	all := true
	for i, it := range items {
		v, ok := p.integer(it, fmt.Sprintf("%s[%d]", what, i), lo, hi)
		out[i], all = v, all && ok
	}
	return out, all
}

// sourceFile reads the file: field of an input source (n): the path, made
// relative to the network file's directory unless absolute, and the field
// with aliases resolved. kind says what the file should be.
func (p *parser) sourceFile(n *yaml.Node, kind string) (string, *yaml.Node, bool) {
	name, ok := p.str(n, "file")
	if !ok {
		return "", n, false
	}
	n, _ = p.resolve(n)
	if strings.TrimSpace(name) == "" {
		p.errorf(n, "file is empty; give the path of %s", kind)
		return "", n, false
	}
	if filepath.IsAbs(name) {
		return name, n, true
	}
	return filepath.Join(p.dir, name), n, true
}

// relativeHint explains, for a file that cannot be opened, where a relative
// path was looked for.
func relativeHint(path string, n *yaml.Node) string {
	if filepath.IsAbs(n.Value) {
		return ""
	}
	if _, err := os.Stat(path); err == nil {
		return ""
	}
	return " (a relative path is relative to the network file's directory)"
}
