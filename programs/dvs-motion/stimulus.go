package dvsmotion

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"

	"github.com/tessera-sim/tessera/compiler/events"
)

// The scene: a bright vertical bar on a dark background, seen by a 32×32
// dynamic vision sensor. The bar crosses the whole sensor rightward, then
// leftward at the same speed, then rightward again at half the speed; a
// quiet stretch with only background noise comes first and between the
// sweeps.
//
// A DVS pixel reports changes of brightness, not brightness: when the bar's
// leading edge reaches a pixel it brightens (ON events), when the trailing
// edge leaves it darkens (OFF events). A real pixel emits a short burst per
// edge as the log intensity crosses several contrast thresholds, with a
// latency that varies from event to event; the generator draws 1 to
// MaxEventsPerEdge events per pixel and edge, each delayed by 0 to
// JitterMicros µs. Background activity (the leak and shot-noise events of
// a real sensor) is uniform over pixels, polarities and time, at NoiseHz
// per pixel.
const (
	SensorWidth, SensorHeight = 32, 32
	BarWidth                  = 6 // pixels
	// TunedMicrosPerPixel is the sweep speed the detectors are built for:
	// 3 ms per pixel, so 6 ms = Delay steps per 2-pixel channel.
	TunedMicrosPerPixel = 3000
	// SlowMicrosPerPixel is the third sweep's speed, half the tuned one.
	// A channel pools two pixel columns, so at this speed the delayed
	// spike of a square's right column meets the undelayed spike of the
	// next square's left column, one pixel (Delay steps) later: the
	// detectors answer half the tuned speed too, with one coincidence per
	// edge and square instead of two. Speeds in between fall between the
	// two and go unanswered (a third slower: almost nothing).
	SlowMicrosPerPixel = 6000
	MaxEventsPerEdge   = 3
	JitterMicros       = 1000
	NoiseHz            = 1.0 // background events per pixel per second
	// QuietMicros is the noise-only stretch before the first sweep;
	// GapMicros the one after each sweep, long enough for the delayed
	// inputs (Delay steps) to drain before the next phase is scored.
	QuietMicros = 150_000
	GapMicros   = 30_000
	// Seed is the seed bar.bin was written from.
	Seed = 1
)

// Direction is where the bar moves in a phase.
type Direction int

// The directions; None is a phase with no bar, only noise.
const (
	None Direction = iota
	Rightward
	Leftward
)

func (d Direction) String() string {
	switch d {
	case Rightward:
		return "rightward"
	case Leftward:
		return "leftward"
	}
	return "none"
}

// Phase is one stretch of the recording, [StartMicros, EndMicros): a sweep
// followed by its gap, or the opening quiet stretch. The phases tile the
// recording, so every detector spike falls in exactly one.
type Phase struct {
	Name                   string
	Direction              Direction
	MicrosPerPixel         int64 // the bar's speed; 0 without a bar
	StartMicros, EndMicros int64
}

// Recording is the generated scene: its events in time order and the
// phases that produced them.
type Recording struct {
	Events []events.Event
	Phases []Phase
}

// Phases is the schedule of the scene, the same for every seed.
func Phases() []Phase {
	var out []Phase
	t := int64(0)
	add := func(name string, d Direction, usPerPx int64) {
		n := int64(QuietMicros)
		if d != None {
			n = sweepMicros(usPerPx) + GapMicros
		}
		out = append(out, Phase{Name: name, Direction: d, MicrosPerPixel: usPerPx, StartMicros: t, EndMicros: t + n})
		t += n
	}
	add("noise", None, 0)
	add("right", Rightward, TunedMicrosPerPixel)
	add("left", Leftward, TunedMicrosPerPixel)
	add("right-slow", Rightward, SlowMicrosPerPixel)
	return out
}

// sweepMicros is how long the bar takes to cross the sensor: from its
// leading edge entering the first column to its trailing edge leaving the
// last.
func sweepMicros(usPerPx int64) int64 { return (SensorWidth + BarWidth) * usPerPx }

// Scene generates the recording of seed.
func Scene(seed uint64) Recording {
	rng := rand.New(rand.NewPCG(seed, 0xd75))
	phases := Phases()
	var evs []events.Event
	burst := func(t int64, x, y int, p uint8) {
		for range 1 + rng.IntN(MaxEventsPerEdge) {
			evs = append(evs, events.Event{T: t + rng.Int64N(JitterMicros), X: uint16(x), Y: uint16(y), P: p})
		}
	}
	for _, ph := range phases {
		if ph.Direction == None {
			continue
		}
		for x := range SensorWidth {
			// Pixel column x meets the leading edge `ahead` pixels into
			// the sweep: counted from the left for a rightward bar, from
			// the right for a leftward one. The trailing edge follows
			// BarWidth pixels later.
			ahead := int64(x)
			if ph.Direction == Leftward {
				ahead = SensorWidth - 1 - int64(x)
			}
			on := ph.StartMicros + ahead*ph.MicrosPerPixel
			off := on + BarWidth*ph.MicrosPerPixel
			for y := range SensorHeight {
				burst(on, x, y, 1)
				burst(off, x, y, 0)
			}
		}
	}
	end := phases[len(phases)-1].EndMicros
	noise := int(NoiseHz * SensorWidth * SensorHeight * float64(end) / 1e6)
	for range noise {
		evs = append(evs, events.Event{T: rng.Int64N(end), X: uint16(rng.IntN(SensorWidth)),
			Y: uint16(rng.IntN(SensorHeight)), P: uint8(rng.IntN(2))})
	}
	// A camera delivers its events in time order; ties keep generation
	// order, so the file depends on the seed alone.
	slices.SortStableFunc(evs, func(a, b events.Event) int { return cmp.Compare(a.T, b.T) })
	return Recording{Events: evs, Phases: phases}
}

// EndMicros is the end of the recording's last phase.
func (r Recording) EndMicros() int64 { return r.Phases[len(r.Phases)-1].EndMicros }

// Step is the timestep (1-based, dt = 1 ms) that an instant t µs falls in,
// as the network's events source bins the recording: with t0_us: 0, step
// s covers [s-1, s) ms of the recording's own clock.
func Step(t int64) int32 { return int32(1 + t/1000) }

// Steps is how many steps cover the whole recording, through the last
// microsecond of its last phase.
func (r Recording) Steps() int { return int(Step(r.EndMicros() - 1)) }

// StepRange is the steps, first to last inclusive, of phase p. Phases
// start and end on whole milliseconds, so no step straddles two.
func StepRange(p Phase) (first, last int32) {
	return Step(p.StartMicros), Step(p.EndMicros - 1)
}

// ATIS .bin limits: a 23-bit time with no overflow marks, and y = 240 is
// the overflow mark itself.
const (
	atisMaxMicros = 1<<23 - 1
	atisOverflowY = 240
)

// WriteATIS writes evs as an ATIS .bin file (the N-MNIST format): 5 bytes
// per event, x, y, then the polarity in bit 7 over a 23-bit big-endian time
// in µs. It writes no overflow marks, so every time must fit 23 bits.
func WriteATIS(w io.Writer, evs []events.Event) error {
	bw := bufio.NewWriter(w)
	var rec [5]byte
	for i, e := range evs {
		switch {
		case e.T < 0 || e.T > atisMaxMicros:
			return fmt.Errorf("event %d: time %d µs is outside the 23-bit ATIS range 0..%d", i, e.T, atisMaxMicros)
		case e.X > 255 || e.Y > 255:
			return fmt.Errorf("event %d: pixel (%d, %d) does not fit the ATIS 8-bit coordinates", i, e.X, e.Y)
		case e.Y == atisOverflowY:
			return fmt.Errorf("event %d: y = %d is the ATIS overflow mark, not a pixel row", i, e.Y)
		case e.P > 1:
			return fmt.Errorf("event %d: polarity %d is not 0 (OFF) or 1 (ON)", i, e.P)
		}
		rec = [5]byte{byte(e.X), byte(e.Y), e.P<<7 | byte(e.T>>16&0x7F), byte(e.T >> 8), byte(e.T)}
		if _, err := bw.Write(rec[:]); err != nil {
			return fmt.Errorf("writing ATIS event %d: %w", i, err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing ATIS events: %w", err)
	}
	return nil
}
