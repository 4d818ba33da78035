package browsertest

import (
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

func TestZZCrashRestart(t *testing.T) {
	ctx := New(t)
	pid := chromedp.FromContext(ctx).Browser.Process().Pid
	syscall.Kill(pid, syscall.SIGKILL)
	time.Sleep(500 * time.Millisecond)
	ctx2 := New(t)
	if err := chromedp.Do(ctx2, chromedp.Navigate("about:blank")); err != nil {
		t.Fatal(err)
	}
}
