package events

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/compiler/graph"
)

func TestRetinaChannel(t *testing.T) {
	on := func(x, y uint16) Event { return Event{X: x, Y: y, P: 1} }
	off := func(x, y uint16) Event { return Event{X: x, Y: y} }
	tests := []struct {
		name       string
		r          Retina
		cols, rows int
		channels   int
		e          Event
		ch         int
		ok         bool
	}{
		{"pixel per channel, OFF plane", Retina{Width: 4, Height: 3}, 4, 3, 24, off(3, 2), 11, true},
		{"pixel per channel, ON plane after OFF", Retina{Width: 4, Height: 3}, 4, 3, 24, on(3, 2), 23, true},
		{"merge", Retina{Width: 4, Height: 3, Polarity: Merge}, 4, 3, 12, on(1, 1), 5, true},
		{"on only keeps ON", Retina{Width: 4, Height: 3, Polarity: OnOnly}, 4, 3, 12, on(1, 1), 5, true},
		{"on only drops OFF", Retina{Width: 4, Height: 3, Polarity: OnOnly}, 4, 3, 12, off(1, 1), 0, false},
		{"off only drops ON", Retina{Width: 4, Height: 3, Polarity: OffOnly}, 4, 3, 12, on(1, 1), 0, false},
		{"pool 2, partial squares at the edges", Retina{Width: 5, Height: 3, Pool: 2, Polarity: Merge}, 3, 2, 6, off(4, 2), 5, true},
		{"pool 2, inner square", Retina{Width: 5, Height: 3, Pool: 2, Polarity: Merge}, 3, 2, 6, off(3, 1), 1, true},
		{"crop shifts the origin", Retina{Width: 10, Height: 10, Crop: Rect{X: 2, Y: 3, Width: 4, Height: 2}, Polarity: Merge}, 4, 2, 8, off(2, 3), 0, true},
		{"crop: last pixel", Retina{Width: 10, Height: 10, Crop: Rect{X: 2, Y: 3, Width: 4, Height: 2}, Polarity: Merge}, 4, 2, 8, off(5, 4), 7, true},
		{"crop: left of it", Retina{Width: 10, Height: 10, Crop: Rect{X: 2, Y: 3, Width: 4, Height: 2}}, 4, 2, 16, off(1, 3), 0, false},
		{"crop: below it", Retina{Width: 10, Height: 10, Crop: Rect{X: 2, Y: 3, Width: 4, Height: 2}}, 4, 2, 16, off(2, 5), 0, false},
		{"beyond the sensor", Retina{Width: 4, Height: 3}, 4, 3, 24, off(4, 0), 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.NoError(t, tc.r.Validate())
			cols, rows := tc.r.Grid()
			assert.Equal(t, [2]int{tc.cols, tc.rows}, [2]int{cols, rows}, "grid")
			assert.Equal(t, tc.channels, tc.r.Channels())
			ch, ok := tc.r.Channel(tc.e)
			assert.Equal(t, tc.ok, ok)
			if tc.ok {
				assert.Equal(t, tc.ch, ch)
				assert.Less(t, ch, tc.r.Channels())
			}
		})
	}
}

func TestRetinaString(t *testing.T) {
	assert.Equal(t, "578 channels: 17×17 squares of 2×2 pixels × 2 polarity planes (split)",
		Retina{Width: 34, Height: 34, Pool: 2}.String())
	assert.Equal(t, "12 channels: 4×3 pixels × 1 polarity plane (merge)",
		Retina{Width: 4, Height: 3, Polarity: Merge}.String())
}

func TestCheckSensor(t *testing.T) {
	rec := &Recording{Events: []Event{{X: 3, Y: 1}, {X: 0, Y: 2}}}
	assert.NoError(t, rec.Stats().CheckSensor(4, 3))
	assert.EqualError(t, rec.Stats().CheckSensor(3, 3), "events reach x = 3, y = 2, outside the 3×3 sensor")
	assert.Error(t, rec.Stats().CheckSensor(4, 2))
	assert.NoError(t, (&Recording{}).Stats().CheckSensor(1, 1))
}

func TestRetinaValidate(t *testing.T) {
	tests := []struct {
		r    Retina
		want string
	}{
		{Retina{}, "sensor size must be 1..65536"},
		{Retina{Width: 4, Height: 4, Crop: Rect{X: 2, Width: 3, Height: 1}}, "crop 3×1 at (2, 0) is not inside the 4×4 sensor"},
		{Retina{Width: 4, Height: 4, Crop: Rect{X: -1, Width: 1, Height: 1}}, "is not inside"},
		{Retina{Width: 4, Height: 4, Pool: -1}, "pool must be"},
		{Retina{Width: 4, Height: 4, Polarity: 9}, "unknown polarity 9"},
	}
	for _, tc := range tests {
		assert.ErrorContains(t, tc.r.Validate(), tc.want, "%+v", tc.r)
	}
}

func TestParsePolarity(t *testing.T) {
	for _, p := range []Polarity{Split, Merge, OnOnly, OffOnly} {
		got, err := ParsePolarity(p.String())
		require.NoError(t, err)
		assert.Equal(t, p, got)
	}
	assert.Equal(t, []string{"split", "merge", "on", "off"}, PolarityNames())
	_, err := ParsePolarity("both")
	assert.ErrorContains(t, err, `got "both"`)
}

func TestMap(t *testing.T) {
	rec := &Recording{Events: []Event{
		{T: 1000, X: 0, Y: 0, P: 1}, // the earliest: step 1 begins here
		{T: 1999, X: 1, Y: 0, P: 0}, // 999 µs later: still step 1 at 1 ms steps
		{T: 1500, X: 0, Y: 0, P: 1}, // out of order, same channel and step: merged
		{T: 2000, X: 0, Y: 0, P: 0}, // step 2, OFF plane
		{T: 5000, X: 3, Y: 0, P: 1}, // outside the 2-pixel crop
		{T: 9000, X: 1, Y: 0, P: 1}, // step 9
	}}
	r := Retina{Width: 4, Height: 1, Crop: Rect{Width: 2, Height: 1}}
	m, err := rec.Map(r, Timing{StepPS: 1_000_000_000})
	require.NoError(t, err)
	// OFF plane: channels 0, 1; ON plane: 2, 3
	assert.Equal(t, []graph.Spike{{Step: 1, Index: 1}, {Step: 1, Index: 2}, {Step: 2, Index: 0}, {Step: 9, Index: 3}}, m.Spikes)
	assert.Equal(t, Mapped{Spikes: m.Spikes, Events: 5, Merged: 1, Outside: 1}, m)

	// a window: from 1 ms after the earliest event, for 7 ms
	m, err = rec.Map(r, Timing{StepPS: 1_000_000_000, StartMicros: 1000, DurationMicros: 7000})
	require.NoError(t, err)
	assert.Equal(t, []graph.Spike{{Step: 1, Index: 0}}, m.Spikes)
	assert.Equal(t, 3, m.Before)
	assert.Equal(t, 1, m.After)
	assert.Equal(t, 1, m.Outside)

	// the file's own clock: step 1 begins at t = 0, so the first event
	// (t = 1000 µs) falls in step 2; an origin after some events leaves
	// them out
	m, err = rec.Map(r, Timing{StepPS: 1_000_000_000, FixedOrigin: true})
	require.NoError(t, err)
	assert.Equal(t, []graph.Spike{{Step: 2, Index: 1}, {Step: 2, Index: 2}, {Step: 3, Index: 0}, {Step: 10, Index: 3}}, m.Spikes)
	m, err = rec.Map(r, Timing{StepPS: 1_000_000_000, FixedOrigin: true, Origin: 1999})
	require.NoError(t, err)
	assert.Equal(t, []graph.Spike{{Step: 1, Index: 0}, {Step: 1, Index: 1}, {Step: 8, Index: 3}}, m.Spikes)
	assert.Equal(t, 2, m.Before, "the events at 1000 and 1500 µs")

	// a timestep shorter than a microsecond spreads the events
	m, err = rec.Map(Retina{Width: 4, Height: 1, Polarity: Merge}, Timing{StepPS: 250_000})
	require.NoError(t, err)
	assert.Equal(t, graph.Spike{Step: 1 + 8000*4, Index: 1}, m.Spikes[len(m.Spikes)-1])
}

func TestMapErrors(t *testing.T) {
	rec := &Recording{Events: []Event{{T: math.MinInt64}, {T: math.MaxInt64}}}
	_, err := rec.Map(Retina{Width: 1, Height: 1}, Timing{StepPS: 1})
	assert.ErrorContains(t, err, "set a duration")
	_, err = rec.Map(Retina{Width: 1, Height: 1}, Timing{StepPS: 1, DurationMicros: 10})
	assert.NoError(t, err, "the window leaves the far event out")
	_, err = rec.Map(Retina{Width: 1, Height: 1}, Timing{})
	assert.ErrorContains(t, err, "timestep must be positive")
	_, err = rec.Map(Retina{}, Timing{StepPS: 1, StartMicros: -1})
	assert.ErrorContains(t, err, "sensor size")
	assert.ErrorContains(t, err, "must not be negative")

	m, err := (&Recording{}).Map(Retina{Width: 1, Height: 1}, Timing{StepPS: 1})
	require.NoError(t, err)
	assert.Empty(t, m.Spikes)
}

// A 4×4 sensor pooled into 2×2 squares, the two polarities on separate
// channels, at 1 ms timesteps.
func ExampleRecording_Map() {
	rec := &Recording{Events: []Event{
		{T: 100, X: 0, Y: 0, P: 1},
		{T: 400, X: 1, Y: 1, P: 1}, // same square, same step: one spike
		{T: 1300, X: 3, Y: 2, P: 0},
	}}
	r := Retina{Width: 4, Height: 4, Pool: 2, Polarity: Split}
	m, err := rec.Map(r, Timing{StepPS: 1_000_000_000})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("channels:", r.Channels())
	fmt.Println("spikes:", m.Spikes, "merged:", m.Merged)
	// Output:
	// channels: 8
	// spikes: [{1 4} {2 3}] merged: 1
}
