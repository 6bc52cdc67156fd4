package client

import (
	"context"
	"errors"

	"github.com/parley-lan/parley/backend/chat"
	"github.com/parley-lan/parley/backend/protocol"
)

// ErrNotConnected is returned by Older while the client is (re)connecting.
var ErrNotConnected = errors.New("not connected to the room")

// ErrRoomMoved is the reason for reconnecting when the room is now
// announced at addresses that no longer include the one we are connected
// to (the host got a new address): rather than wait for the old path to
// time out, the client goes to the new one.
var ErrRoomMoved = errors.New("the room moved to a new address")

// ErrHostAway is the reason given while reconnecting after the host said
// it was stopping (not closing the room): it may come back.
var ErrHostAway = errors.New("the host went away; waiting for the room to come back")

// Older asks the host for up to limit messages with seq below before, and
// returns them ascending, with whether older ones remain. One request runs
// at a time; ctx bounds the wait.
func (c *Client) Older(ctx context.Context, before uint64, limit int) ([]chat.Message, bool, error) {
	c.olderMu.Lock()
	defer c.olderMu.Unlock()
	c.mu.Lock()
	conn := c.conn
	c.mu.Unlock()
	if conn == nil {
		return nil, false, ErrNotConnected
	}
	select {
	case <-c.history: // an answer that came after its asker gave up
	default:
	}
	c.write(conn, protocol.GetHistory{Before: before, Limit: limit})
	for {
		select {
		case page := <-c.history:
			if page.Before == before {
				return page.Messages, page.More, nil
			}
		case <-ctx.Done():
			return nil, false, ctx.Err()
		}
	}
}
