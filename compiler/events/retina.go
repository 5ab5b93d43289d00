package events

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"

	"github.com/tessera-sim/tessera/compiler/graph"
)

// Polarity says which events a Retina keeps and whether ON and OFF events
// feed separate channels.
type Polarity uint8

const (
	// Split gives each polarity its own channels: the OFF plane first
	// (channels 0 … n-1), then the ON plane (n … 2n-1), as event-vision
	// networks usually take a two-channel frame.
	Split   Polarity = iota
	Merge            // ON and OFF events feed the same channel
	OnOnly           // only ON events
	OffOnly          // only OFF events
)

var polarityNames = []string{Split: "split", Merge: "merge", OnOnly: "on", OffOnly: "off"}

func (p Polarity) String() string {
	if int(p) < len(polarityNames) {
		return polarityNames[p]
	}
	return fmt.Sprintf("Polarity(%d)", int(p))
}

// PolarityNames are the names ParsePolarity reads, in Polarity order.
func PolarityNames() []string { return slices.Clone(polarityNames) }

// ParsePolarity reads a Polarity by its name: split, merge, on or off.
func ParsePolarity(s string) (Polarity, error) {
	for p, name := range polarityNames {
		if s == name {
			return Polarity(p), nil
		}
	}
	return 0, fmt.Errorf("polarity must be split, merge, on or off, got %q", s)
}

// Rect is a rectangle of pixels: columns X … X+Width-1, rows Y … Y+Height-1.
type Rect struct{ X, Y, Width, Height int }

// Retina maps the pixels of a sensor onto the channels of an input
// population: the pixels of Crop, in squares of Pool×Pool pixels (each
// square one channel, row by row; a partial square at the right or bottom
// edge is a channel too), for each polarity plane Polarity keeps.
type Retina struct {
	Width, Height int  // the sensor, in pixels
	Crop          Rect // the pixels used; the zero Rect is the whole sensor
	Pool          int  // side of the square of pixels feeding one channel; 0 means 1
	Polarity      Polarity
}

// Validate reports what is wrong with the retina.
func (r Retina) Validate() error {
	var errs []error
	if r.Width < 1 || r.Height < 1 || r.Width > 1<<16 || r.Height > 1<<16 {
		errs = append(errs, fmt.Errorf("sensor size must be 1..65536 pixels a side, got %d×%d", r.Width, r.Height))
	}
	if c := r.Crop; c != (Rect{}) {
		if c.X < 0 || c.Y < 0 || c.Width < 1 || c.Height < 1 || c.X+c.Width > r.Width || c.Y+c.Height > r.Height {
			errs = append(errs, fmt.Errorf("crop %d×%d at (%d, %d) is not inside the %d×%d sensor", c.Width, c.Height, c.X, c.Y, r.Width, r.Height))
		}
	}
	if r.Pool < 0 || r.Pool > 1<<16 {
		errs = append(errs, fmt.Errorf("pool must be 1..65536 pixels, got %d", r.Pool))
	}
	if int(r.Polarity) >= len(polarityNames) {
		errs = append(errs, fmt.Errorf("unknown polarity %d", r.Polarity))
	}
	return errors.Join(errs...)
}

// crop is Crop, with the zero Rect standing for the whole sensor.
func (r Retina) crop() Rect {
	if r.Crop == (Rect{}) {
		return Rect{Width: r.Width, Height: r.Height}
	}
	return r.Crop
}

func (r Retina) pool() int { return max(r.Pool, 1) }

// Grid is the number of channel columns and rows of one polarity plane.
func (r Retina) Grid() (cols, rows int) {
	c, k := r.crop(), r.pool()
	return (c.Width + k - 1) / k, (c.Height + k - 1) / k
}

// Planes is the number of polarity planes: 2 when ON and OFF events are
// split, else 1.
func (r Retina) Planes() int {
	if r.Polarity == Split {
		return 2
	}
	return 1
}

// Channels is the size of the input population the retina feeds.
func (r Retina) Channels() int {
	cols, rows := r.Grid()
	return r.Planes() * cols * rows
}

// String describes the retina's channels, e.g. "578 channels: 17×17
// squares of 2×2 pixels × 2 polarity planes (split)".
func (r Retina) String() string {
	cols, rows := r.Grid()
	grid := fmt.Sprintf("%d×%d pixels", cols, rows)
	if k := r.pool(); k > 1 {
		grid = fmt.Sprintf("%d×%d squares of %d×%d pixels", cols, rows, k, k)
	}
	planes := "1 polarity plane"
	if r.Planes() == 2 {
		planes = "2 polarity planes"
	}
	return fmt.Sprintf("%d channels: %s × %s (%s)", r.Channels(), grid, planes, r.Polarity)
}

// Channel is the channel event e feeds, or false when the retina leaves it
// out (outside the crop, or of a polarity not kept).
func (r Retina) Channel(e Event) (int, bool) {
	switch {
	case r.Polarity == OnOnly && e.P == 0, r.Polarity == OffOnly && e.P != 0:
		return 0, false
	}
	c, k := r.crop(), r.pool()
	x, y := int(e.X)-c.X, int(e.Y)-c.Y
	if x < 0 || y < 0 || x >= c.Width || y >= c.Height {
		return 0, false
	}
	cols, rows := r.Grid()
	ch := y/k*cols + x/k
	if r.Polarity == Split && e.P != 0 {
		ch += cols * rows
	}
	return ch, true
}

// Timing says which stretch of a recording becomes input and how its
// microseconds become timesteps.
type Timing struct {
	StepPS int64 // the network's timestep, ps
	// The window starts StartMicros after the origin — the recording's
	// earliest event, or the file time Origin when FixedOrigin is set (0
	// for a recording whose clock starts with it) — and lasts
	// DurationMicros (0: to the end). Its start is step 1's: an event Δ µs
	// after it falls in step 1 + ⌊Δ·10⁶ / StepPS⌋.
	Origin                      int64
	FixedOrigin                 bool
	StartMicros, DurationMicros int64
}

// Validate reports what is wrong with the timing.
func (tm Timing) Validate() error {
	var errs []error
	if tm.StepPS < 1 {
		errs = append(errs, fmt.Errorf("timestep must be positive, got %d ps", tm.StepPS))
	}
	if tm.StartMicros < 0 || tm.DurationMicros < 0 {
		errs = append(errs, fmt.Errorf("start and duration must not be negative, got %d µs and %d µs", tm.StartMicros, tm.DurationMicros))
	}
	return errors.Join(errs...)
}

// Mapped is what became of a recording's events.
type Mapped struct {
	Spikes []graph.Spike // sorted by (Step, Index), each at most once
	// Events counts the events in the time window the retina kept;
	// Merged those of them that fell on a channel and step another event
	// already had (an input channel spikes at most once a step).
	Events, Merged int
	// Outside counts the events in the window the retina left out (crop,
	// polarity); Before and After those outside the window.
	Outside, Before, After int
}

// maxSpikeStep is the last step a graph.Spike can name.
const maxSpikeStep = math.MaxInt32

// Map turns the recording's events into the spikes of the input population
// the retina feeds, one per (step, channel) that had an event.
func (rec *Recording) Map(r Retina, tm Timing) (Mapped, error) {
	if err := errors.Join(r.Validate(), tm.Validate()); err != nil {
		return Mapped{}, err
	}
	var m Mapped
	if len(rec.Events) == 0 {
		return m, nil
	}
	origin := tm.Origin
	if !tm.FixedOrigin {
		origin = rec.Stats().MinT
	}
	keys := make([]uint64, 0, len(rec.Events))
	for _, e := range rec.Events {
		// the distance from the origin, exact in unsigned arithmetic even
		// when it exceeds what int64 holds
		d := uint64(e.T - origin)
		if e.T < origin || d < uint64(tm.StartMicros) {
			m.Before++
			continue
		}
		rel := d - uint64(tm.StartMicros)
		if tm.DurationMicros > 0 && rel >= uint64(tm.DurationMicros) {
			m.After++
			continue
		}
		ch, ok := r.Channel(e)
		if !ok {
			m.Outside++
			continue
		}
		hi, lo := bits.Mul64(rel, 1_000_000)
		if hi != 0 || lo/uint64(tm.StepPS) >= maxSpikeStep {
			return Mapped{}, fmt.Errorf("an event %d µs into the window is past step %d of a %d ps timestep; set a duration", rel, maxSpikeStep, tm.StepPS)
		}
		step := 1 + lo/uint64(tm.StepPS)
		keys = append(keys, step<<32|uint64(ch))
		m.Events++
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	m.Merged = m.Events - len(keys)
	m.Spikes = make([]graph.Spike, len(keys))
	for i, k := range keys {
		m.Spikes[i] = graph.Spike{Step: int32(k >> 32), Index: int32(uint32(k))}
	}
	return m, nil
}
