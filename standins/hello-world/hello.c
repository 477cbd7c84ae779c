/*
 * Stand-in for the hello-world image: prints the official greeting and
 * exits 0. Built with `gcc -static -Os -nostdlib`: no libc, two raw system
 * calls, a few kilobytes like the official binary.
 */

static const char message[] =
	"\n"
	"Hello from Docker!\n"
	"This message shows that your installation appears to be working correctly.\n"
	"\n"
	"To generate this message, Docker took the following steps:\n"
	" 1. The Docker client contacted the Docker daemon.\n"
	" 2. The Docker daemon pulled the \"hello-world\" image from the Docker Hub.\n"
	"    (amd64)\n"
	" 3. The Docker daemon created a new container from that image which runs the\n"
	"    executable that produces the output you are currently reading.\n"
	" 4. The Docker daemon streamed that output to the Docker client, which sent it\n"
	"    to your terminal.\n"
	"\n"
	"To try something more ambitious, you can run an Ubuntu container with:\n"
	" $ docker run -it ubuntu bash\n"
	"\n"
	"Share images, automate workflows, and more with a free Docker ID:\n"
	" https://hub.docker.com/\n"
	"\n"
	"For more examples and ideas, visit:\n"
	" https://docs.docker.com/get-started/\n"
	"\n";

static long sys3(long nr, long a, long b, long c)
{
	long ret;
	__asm__ volatile ("syscall"
		: "=a"(ret)
		: "a"(nr), "D"(a), "S"(b), "d"(c)
		: "rcx", "r11", "memory");
	return ret;
}

void _start(void)
{
	long want = sizeof(message) - 1;
	long done = sys3(1 /* write */, 1, (long)message, want);
	sys3(60 /* exit */, done == want ? 0 : 1, 0, 0);
	for (;;) {
	}
}
