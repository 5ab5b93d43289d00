package noc

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBenchWorkload runs the workload of BenchmarkNetwork8x8 for a fixed
// number of cycles and pins what it does. Speed figures of two versions of
// the code compare only if both ran the same traffic through the same
// model, so a change that alters either shows up here first. It is also
// the fixed, deterministic run to count instructions and mispredicted
// branches on (docs/noc-validation.md, "Simulation speed"):
//
//	go test -c -o /tmp/noc.test ./mesh/noc
//	valgrind --tool=cachegrind --cache-sim=no --branch-sim=yes /tmp/noc.test -test.run 'BenchWorkload/1flit' -test.v
//
// and divide by the flit-hops it logs.
func TestBenchWorkload(t *testing.T) {
	const cycles = 20000
	want := map[int]struct{ flitHops, delivered uint64 }{
		1: {1184335, 189297},
		4: {1421828, 56917},
	}
	for _, size := range []int{1, 4} {
		t.Run(fmt.Sprintf("%dflit", size), func(t *testing.T) {
			s, err := newSim(benchConfig(t, size))
			require.NoError(t, err)
			for now := int64(0); now < cycles; now += chunk {
				require.NoError(t, s.runTo(now+chunk))
			}
			require.NoError(t, s.net.Check())
			st := s.net.Stats()
			t.Logf("%d cycles: %d flit-hops, %d packets delivered", cycles, st.FlitHops, st.Delivered)
			assert.Equal(t, want[size].flitHops, st.FlitHops, "flit-hops")
			assert.Equal(t, want[size].delivered, st.Delivered, "packets delivered")
		})
	}
}
