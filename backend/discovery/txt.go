package discovery

import (
	"errors"
	"fmt"
	"strings"

	"github.com/parley-lan/parley/backend/chat"
)

// txtVersion is the value of the "v" key this package writes and reads.
// A record with another version is skipped.
const txtVersion = "1"

// TXT keys. DNS-SD keys are case-insensitive; values are plain UTF-8.
const (
	keyVersion = "v"
	keyID      = "id"
	keyName    = "name"
	keyHost    = "host"
)

var errNoRoom = errors.New("not a parley room record")

// roomTXT validates room and returns its TXT strings, escaped for
// miekg/dns: v=1, id=, name= and host=.
func roomTXT(room chat.Room) ([]string, error) {
	if !chat.ValidID(room.ID) {
		return nil, fmt.Errorf("room id %q is not a valid id", room.ID)
	}
	name, err := chat.ValidateRoomName(room.Name)
	if err != nil {
		return nil, fmt.Errorf("room name: %w", err)
	}
	host, err := chat.ValidateNick(room.Host)
	if err != nil {
		return nil, fmt.Errorf("host nickname: %w", err)
	}
	return []string{
		keyVersion + "=" + txtVersion,
		keyID + "=" + room.ID,
		keyName + "=" + escapeTXT(name),
		keyHost + "=" + escapeTXT(host),
	}, nil
}

// parseTXT reads a room's id, name and host from TXT strings as
// github.com/miekg/dns presents them (presentation format). Keys are case-insensitive, the first
// occurrence of a key wins (RFC 6763 §6.4) and unknown keys are ignored.
// The version must be 1, the id valid, the name a valid room name; host is
// optional but, when present, a valid nickname. Any other record is an
// error, so a room is either whole or absent.
func parseTXT(txt []string) (chat.Room, error) {
	kv, err := txtFields(txt)
	if err != nil {
		return chat.Room{}, err
	}
	if v, ok := kv[keyVersion]; !ok || v != txtVersion {
		return chat.Room{}, fmt.Errorf("%w: version %q", errNoRoom, kv[keyVersion])
	}
	room := chat.Room{ID: kv[keyID]}
	if !chat.ValidID(room.ID) {
		return chat.Room{}, fmt.Errorf("%w: bad id %q", errNoRoom, room.ID)
	}
	if room.Name, err = chat.ValidateRoomName(kv[keyName]); err != nil {
		return chat.Room{}, fmt.Errorf("%w: name: %v", errNoRoom, err)
	}
	if host, ok := kv[keyHost]; ok {
		if room.Host, err = chat.ValidateNick(host); err != nil {
			return chat.Room{}, fmt.Errorf("%w: host: %v", errNoRoom, err)
		}
	}
	return room, nil
}

// txtFields unescapes TXT strings and splits them into keys and values.
func txtFields(txt []string) (map[string]string, error) {
	kv := make(map[string]string, len(txt))
	for _, raw := range txt {
		s, err := unescape(raw)
		if err != nil {
			return nil, fmt.Errorf("%w: txt %q: %v", errNoRoom, raw, err)
		}
		key, val, _ := strings.Cut(s, "=")
		key = strings.ToLower(key)
		if _, seen := kv[key]; key != "" && !seen {
			kv[key] = val
		}
	}
	return kv, nil
}
