package join

import "encoding/base64"

// encode is a Secret's data encoding.
func encode(data []byte) string { return base64.StdEncoding.EncodeToString(data) }
