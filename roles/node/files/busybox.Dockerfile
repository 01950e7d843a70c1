# A small general-purpose image, built offline FROM scratch from Debian's static busybox (copied into the build
# context as ./busybox): hostpods/busybox:1.35. The one Dockerfile of this image: the hostpods.core.node role builds
# it on nodes (the helper of `hostpods --docker-host`: nsenter into the node, nc into a pod) and scripts/setup.sh for
# the examples and tests.
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "mkdir", "-p", "/usr/bin", "/sbin", "/usr/sbin", "/tmp", "/etc", "/root", "/var/www", "/home"]
RUN ["/bin/busybox", "--install", "-s"]
RUN printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n' > /etc/passwd \
 && printf 'root:x:0:\nnobody:x:65534:\n' > /etc/group && chmod 1777 /tmp
ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin
CMD ["sh"]
