package api

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
)

// errTooLarge answers 413: the upload is over the configured limit.
var errTooLarge = errors.New("upload too large")

// multipartSlack allows for the multipart framing around the file itself.
const multipartSlack = 64 << 10

// uploadAttachment streams the "file" part of a multipart body, refusing it
// with 413 as soon as it passes the limit, so nothing partial is stored.
// A "version" field before the file files it under that version.
func (h *handlers) uploadAttachment(c *gin.Context) {
	version, badVersion := 0, false
	name, data, err := readFilePart(c, h.d.AttachmentMaxBytes, func(field, value string) {
		if field == "version" && value != "" {
			v, err := strconv.Atoi(strings.TrimSpace(value))
			version, badVersion = v, err != nil || v <= 0
		}
	})
	if err == nil && badVersion {
		err = fieldError("version", "must be a version number of the contract (1, 2, ...), or absent for the contract as a whole")
	}
	if err != nil {
		writeError(c, h.d.Logger, err)
		return
	}
	a, err := as(toAttachment)(h.d.Contracts.Attach(c.Request.Context(), currentUser(c), c.Param("number"), version, name, data))
	h.respond(c, http.StatusCreated, a, err)
}

// readFilePart reads the part named file of a multipart body, at most
// limit bytes of it (413 past that), with its cleaned file name. field,
// when set, hears every plain field before the file.
func readFilePart(c *gin.Context, limit int64, field func(name, value string)) (string, []byte, error) {
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit+multipartSlack)
	mr, err := c.Request.MultipartReader()
	if err != nil {
		return "", nil, fieldError("body", "must be multipart/form-data with a part named file")
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return "", nil, fieldError("file", "is required")
		}
		if err != nil {
			return "", nil, uploadError(err)
		}
		if part.FormName() != "file" {
			if field != nil && part.FileName() == "" {
				v, err := io.ReadAll(io.LimitReader(part, 1024))
				if err != nil {
					return "", nil, uploadError(err)
				}
				field(part.FormName(), string(v))
			}
			continue
		}
		data, err := io.ReadAll(io.LimitReader(part, limit+1))
		if err != nil {
			return "", nil, uploadError(err)
		}
		if int64(len(data)) > limit {
			return "", nil, fmt.Errorf("%w: over %d bytes", errTooLarge, limit)
		}
		if len(data) == 0 {
			return "", nil, fieldError("file", "is empty")
		}
		name := cleanFilename(part.FileName())
		if name == "" {
			return "", nil, fieldError("file", "needs a file name")
		}
		return name, data, nil
	}
}

func uploadError(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return fmt.Errorf("%w: %w", errTooLarge, err)
	}
	return fieldError("body", "is not a well-formed multipart body")
}

// cleanFilename keeps the base name of what the client sent, as valid
// UTF-8 of at most 255 bytes, so Chinese names survive and paths do not.
func cleanFilename(name string) string {
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.ToValidUTF8(strings.TrimSpace(name), "")
	if name == "." || name == "/" {
		return ""
	}
	for len(name) > 255 {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	return name
}

func (h *handlers) listAttachments(c *gin.Context) {
	list, err := listAs(toAttachment)(h.d.Contracts.Attachments(c.Request.Context(), currentUser(c), c.Param("number")))
	h.respond(c, http.StatusOK, list, err)
}

func (h *handlers) downloadAttachment(c *gin.Context) {
	a, err := h.d.Contracts.Attachment(c.Request.Context(), currentUser(c), c.Param("number"), c.Param("id"))
	if err != nil {
		writeError(c, h.d.Logger, err)
		return
	}
	c.Header("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": a.Filename}))
	c.Header("X-Content-SHA256", a.SHA256)
	c.Header("X-Content-Type-Options", "nosniff")
	c.Data(http.StatusOK, a.ContentType, a.Data)
}
