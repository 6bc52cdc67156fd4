# The client from the classic "Python TCP chat" tutorial that Parley grew
# out of, kept as it was (only the address comes from argv): one thread
# receives and prints, one reads input() and sends "nick: text".
import socket
import sys
import threading

nickname = sys.argv[3]

client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
client.connect((sys.argv[1], int(sys.argv[2])))


def receive():
    while True:
        try:
            message = client.recv(1024).decode('utf-8')
            if message == 'NICK':
                client.send(nickname.encode('utf-8'))
            elif message == '':
                print("Connection closed", flush=True)
                client.close()
                break
            else:
                print(message, flush=True)
        except Exception:
            print("An error occured!", flush=True)
            client.close()
            break


def write():
    while True:
        try:
            text = input('')
        except EOFError:
            break
        message = '{}: {}'.format(nickname, text)
        client.send(message.encode('utf-8'))


receive_thread = threading.Thread(target=receive)
receive_thread.start()

write_thread = threading.Thread(target=write)
write_thread.start()
