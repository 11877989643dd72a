package xapi

import (
	"encoding/json"
	"testing"
)

// FuzzStatements feeds arbitrary bodies to the statement parser and validator: they must
// never panic, and whatever they accept must be a statement the store can index and encode.
func FuzzStatements(f *testing.F) {
	seeds := []string{
		`{"actor":{"mbox":"mailto:a@example.org"},"verb":{"id":"http://example.org/v"},"object":{"id":"http://example.org/a"}}`,
		`[{"actor":{"objectType":"Group","member":[{"mbox":"mailto:a@example.org"}]},"verb":{"id":"http://example.org/v","display":{"en-US":"v"}},"object":{"objectType":"SubStatement","actor":{"openid":"http://o.example.org"},"verb":{"id":"http://example.org/v"},"object":{"objectType":"StatementRef","id":"6690e6c9-3ef0-4ed3-8b37-7f3964730bee"}}}]`,
		`{"id":"6690e6c9-3ef0-4ed3-8b37-7f3964730bee","actor":{"account":{"homePage":"http://h.example.org","name":"n"}},"verb":{"id":"http://adlnet.gov/expapi/verbs/voided"},"object":{"objectType":"StatementRef","id":"6690e6c9-3ef0-4ed3-8b37-7f3964730bee"},"result":{"score":{"scaled":0.5,"raw":1,"min":0,"max":2},"duration":"PT1.5S"},"context":{"registration":"6690e6c9-3ef0-4ed3-8b37-7f3964730bee","contextActivities":{"parent":{"id":"http://example.org/p"}}},"timestamp":"2024-01-01T00:00:00+01:00"}`,
		`{"actor":{"mbox":"mailto:a@example.org"},"verb":{"id":"http://example.org/v"},"object":{"id":"http://example.org/a","definition":{"interactionType":"choice","choices":[{"id":"a","description":{"en":"A"}}],"correctResponsesPattern":["a"]}},"attachments":[{"usageType":"http://example.org/u","display":{"en":"x"},"contentType":"text/plain","length":1,"sha2":"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824","fileUrl":"http://example.org/f"}]}`,
		`{"actor":null}`, `[]`, `[1]`, `"x"`, `{"actor":{"objectType":"Group"}}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		stmts, err := ParseStatements(body)
		if err != nil {
			return
		}
		for _, v := range []Version{V103, V200} {
			for _, m := range stmts {
				if ValidateStatement(m, v) != nil {
					continue
				}
				ix := newIndex()
				ix.statement(m, true)
				collectDefinitions(m, map[string]map[string]any{})
				arrayContextActivities(m)
				if _, err := json.Marshal(m); err != nil {
					t.Fatalf("accepted statement cannot be encoded: %v", err)
				}
				if _, err := checkAttachmentsNoParts(m); err != nil {
					_ = err
				}
			}
		}
	})
}

// checkAttachmentsNoParts runs the attachment matching without parts (it must not panic).
func checkAttachmentsNoParts(m map[string]any) (bool, error) {
	err := checkAttachments([]map[string]any{m}, nil)
	return err == nil, err
}
