// Command tessera compiles spiking networks to chip images, runs them on the
// emulated chip and shows what they cost. Run `tessera --help`.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"

	"github.com/tessera-sim/tessera/tools/tessera/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	root := cli.NewRoot(os.Stdout, os.Stderr)
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "tessera: %v\n", err)
		stop()
		os.Exit(1)
	}
}
