package pdcontract

import (
	"errors"
	"net/url"

	"github.com/getkin/kin-openapi/openapi3"
)

// formats are the string formats PagerDuty's document uses that kin-openapi leaves
// unchecked unless told: email (the From header, users) and url (self, html_url).
// They are passed per validation, so no global of kin-openapi is changed.
var formats = []openapi3.SchemaValidationOption{
	openapi3.WithStringFormatValidator("email", openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForEmail)),
	openapi3.WithStringFormatValidator("url", urlFormat{}),
	openapi3.WithStringFormatValidator("uri", urlFormat{}),
}

// urlFormat accepts an absolute URL with a scheme and a host.
type urlFormat struct{}

func (urlFormat) Validate(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return err
	}
	if u.Scheme == "" || u.Host == "" {
		return errors.New("not an absolute URL")
	}
	return nil
}
