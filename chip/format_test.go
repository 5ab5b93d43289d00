package chip

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestFormatPS(t *testing.T) {
	for ps, want := range map[int64]string{
		0: "0 ps", 999: "999 ps", -5: "-5 ps", 1000: "1.000 ns", 1500: "1.500 ns",
		999_999: "999.999 ns", 1_000_000: "1.000 µs", 2_500_000_000: "2.500 ms", 3_000_000_000_000: "3.000 s",
	} {
		assert.Equal(t, want, FormatPS(ps), "%d ps", ps)
	}
}

func TestFormatFJ(t *testing.T) {
	for fj, want := range map[uint64]string{
		0: "0 fJ", 999: "999 fJ", 1000: "1.000 pJ", 89_277_000: "89.277 nJ", 4_200_000_000: "4.200 µJ", 7_000_000_000_000: "7.000 mJ",
	} {
		assert.Equal(t, want, FormatFJ(fj), "%d fJ", fj)
	}
}
