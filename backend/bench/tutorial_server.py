# The server from the classic "Python TCP chat" tutorial that Parley grew
# out of, kept as it was: one thread per client, "NICK", the nickname read
# with recv(1024), "<nick> joined!", then per client a thread that relays
# whatever each recv(1024) returns to every client (the sender too) with a
# blocking send loop. No framing, no queues, no locks.
#
# The only changes: the address comes from argv (the benchmark passes
# 127.0.0.1 and port 0), and the port it got is printed, so the benchmark
# knows where to connect.
import socket
import sys
import threading

host = sys.argv[1] if len(sys.argv) > 1 else '127.0.0.1'
port = int(sys.argv[2]) if len(sys.argv) > 2 else 55555

server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.bind((host, port))
server.listen()
print("listening on {}:{}".format(host, server.getsockname()[1]), flush=True)

clients = []
nicknames = []


def broadcast(message):
    for client in clients:
        client.send(message)


def handle(client):
    while True:
        try:
            message = client.recv(1024)
            broadcast(message)
        except:
            index = clients.index(client)
            clients.remove(client)
            client.close()
            nickname = nicknames[index]
            broadcast('{} left!'.format(nickname).encode('ascii'))
            nicknames.remove(nickname)
            break


def receive():
    while True:
        client, address = server.accept()
        print("Connected with {}".format(str(address)))

        client.send('NICK'.encode('ascii'))
        nickname = client.recv(1024).decode('ascii')
        nicknames.append(nickname)
        clients.append(client)

        print("Nickname is {}".format(nickname))
        broadcast("{} joined!".format(nickname).encode('ascii'))
        client.send('Connected to server!'.encode('ascii'))

        thread = threading.Thread(target=handle, args=(client,))
        thread.start()


receive()
