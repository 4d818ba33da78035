package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/users"
)

func runUser(args []string) error {
	if len(args) == 0 || args[0] != "add" {
		if len(args) > 0 && (args[0] == "--help" || args[0] == "-h") {
			fmt.Print(userUsage)
			return flag.ErrHelp
		}
		return fmt.Errorf("user: want a subcommand\n\n%s", userUsage)
	}
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	email := fs.String("email", "", "the user's e-mail address (required)")
	name := fs.String("name", "", "the user's full name (required)")
	roles := fs.String("role", "", "comma-separated roles: admin, officer, housing, manager, viewer (required)")
	stdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input instead of generating a one-time password")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), userUsage+"\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	password := ""
	if *stdin {
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("user add: read password from stdin: %w", err)
		}
		password = strings.TrimRight(line, "\r\n")
	}
	ctx := context.Background()
	db, err := openDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	svc := &users.Service{DB: db}
	var roleList []string
	for _, r := range strings.Split(*roles, ",") {
		if r = strings.TrimSpace(r); r != "" {
			roleList = append(roleList, r)
		}
	}
	u, oneTime, err := svc.Create(ctx, audit.Actor{Label: "command line"}, users.Input{Name: *name, Email: *email, Roles: roleList}, password)
	if err != nil {
		return fmt.Errorf("user add: %w", err)
	}
	fmt.Printf("Added %s <%s> (%s).\n", u.Name, u.Email, u.RoleLabels())
	if oneTime != "" {
		fmt.Printf("One-time password (they must change it at first sign-in): %s\n", oneTime)
	}
	return nil
}

const userUsage = `Usage: s106 user add --email EMAIL --name NAME --role ROLE[,ROLE] [--password-stdin]

Adds a user. Without --password-stdin a one-time password is generated and
printed; the user must change it when they first sign in. Uses DATABASE_URL.
`
