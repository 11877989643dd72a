// Command glc is the Global Learning Centre: one binary that serves the portal and administers it.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"glc/internal/config"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.LookupEnv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// usageError is a mistake in the command line: exit code 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	var ce *config.Error
	var ue usageError
	switch {
	case errors.As(err, &ce):
		fmt.Fprintf(stderr, "glc: configuration: %s: %s\n", ce.Var, ce.Msg)
		return 2
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "glc: %s\n", ue.msg)
		return 2
	}
	fmt.Fprintf(stderr, "glc: %v\n", err)
	return 1
}
