#!/usr/bin/env python3
"""Writes the message corpus in ../corpus/ byte for byte.

Every message is authored here (the RFC 5322 Appendix A examples are typed
in from the RFC). Text is written with "\n" and turned into the line ending
each file needs; 8-bit bytes are given explicitly. Pseudo-random payloads
come from SHA-256 in counter mode, so the output is the same on every run.

    python3 make_corpus.py          # rewrites tests/corpus/*.eml
"""

import base64
import hashlib
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "corpus")

FILES = {}


def prng(seed, n):
    """n deterministic pseudo-random bytes."""
    out = bytearray()
    i = 0
    while len(out) < n:
        out += hashlib.sha256(b"%s/%d" % (seed.encode(), i)).digest()
        i += 1
    return bytes(out[:n])


def b64(data, width=76):
    s = base64.b64encode(data).decode()
    return "\n".join(s[i:i + width] for i in range(0, len(s), width)) + "\n"


def put(name, *pieces, nl="\r\n", enc="utf-8"):
    """pieces: str (newlines "\n" become `nl`, encoded with `enc`) or bytes
    (written as they are)."""
    out = b""
    for p in pieces:
        if isinstance(p, bytes):
            out += p
        else:
            out += p.replace("\n", nl).encode(enc)
    assert name not in FILES, name
    FILES[name] = out


# ---------------------------------------------------------------- RFC 5322
put("01-rfc5322-a1-1-simple.eml", """\
From: John Doe <jdoe@machine.example>
To: Mary Smith <mary@example.net>
Subject: Saying Hello
Date: Fri, 21 Nov 1997 09:55:06 -0600
Message-ID: <1234@local.machine.example>

This is a message just to say hello.
So, "Hello".
""")

put("02-rfc5322-a1-1-sender.eml", """\
From: John Doe <jdoe@machine.example>
Sender: Michael Jones <mjones@machine.example>
To: Mary Smith <mary@example.net>
Subject: Saying Hello
Date: Fri, 21 Nov 1997 09:55:06 -0600
Message-ID: <1234@local.machine.example>

This is a message just to say hello.
So, "Hello".
""")

put("03-rfc5322-a1-2-mailbox-types.eml", """\
From: "Joe Q. Public" <john.q.public@example.com>
To: Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>
Cc: <boss@nil.test>, "Giant; \\"Big\\" Box" <sysservices@example.net>
Date: Tue, 1 Jul 2003 10:52:37 +0200
Message-ID: <5678.21-Nov-1997@example.com>

Hi everyone.
""")

put("04-rfc5322-a1-3-group.eml", """\
From: Pete <pete@silly.example>
To: A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;
Cc: Undisclosed recipients:;
Date: Thu, 13 Feb 1969 23:32:54 -0330
Message-ID: <testabcd.1234@silly.example>

Testing.
""")

put("05-rfc5322-a2-reply.eml", """\
From: Mary Smith <mary@example.net>
To: John Doe <jdoe@machine.example>
Reply-To: "Mary Smith: Personal Account" <smith@home.example>
Subject: Re: Saying Hello
Date: Fri, 21 Nov 1997 10:01:10 -0600
Message-ID: <3456@example.net>
In-Reply-To: <1234@local.machine.example>
References: <1234@local.machine.example>

This is a reply to your hello.
""")

put("06-rfc5322-a2-reply-to-reply.eml", """\
To: "Mary Smith: Personal Account" <smith@home.example>
From: John Doe <jdoe@machine.example>
Subject: Re: Saying Hello
Date: Fri, 21 Nov 1997 11:00:00 -0600
Message-ID: <abcd.1234@local.machine.test>
In-Reply-To: <3456@example.net>
References: <1234@local.machine.example> <3456@example.net>

This is a reply to your reply.
""")

put("07-rfc5322-a3-resent.eml", """\
Resent-From: Mary Smith <mary@example.net>
Resent-To: Jane Brown <j-brown@other.example>
Resent-Date: Mon, 24 Nov 1997 14:22:01 -0800
Resent-Message-ID: <78910@example.net>
From: John Doe <jdoe@machine.example>
To: Mary Smith <mary@example.net>
Subject: Saying Hello
Date: Fri, 21 Nov 1997 09:55:06 -0600
Message-ID: <1234@local.machine.example>

This is a message just to say hello.
So, "Hello".
""")

put("08-rfc5322-a4-trace.eml", """\
Received: from x.y.test
   by example.net
   via TCP
   with ESMTP
   id ABC12345
   for <mary@example.net>;  21 Nov 1997 10:05:43 -0600
Received: from node.example by x.y.test; 21 Nov 1997 10:01:22 -0600
From: John Doe <jdoe@node.example>
To: Mary Smith <mary@example.net>
Subject: Saying Hello
Date: Fri, 21 Nov 1997 09:55:06 -0600
Message-ID: <1234@local.node.example>

This is a message just to say hello.
So, "Hello".
""")

put("09-rfc5322-a5-whitespace-comments.eml", """\
From: Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>
To:A Group(Some people)
     :Chris Jones <c@(Chris's host.)public.example>,
         joe@example.org,
  John <jdoe@one.test> (my dear friend); (the end of the group)
Cc:(Empty list)(start)Hidden recipients  :(nobody(that I know))  ;
Date: Thu,
      13
        Feb
          1969
      23:32
               -0330 (Newfoundland Time)
Message-ID:              <testabcd.1234@silly.test>

Testing.
""")

put("10-rfc5322-a6-1-obsolete-addressing.eml", """\
From: Joe Q. Public <john.q.public@example.com>
To: Mary Smith <@node.test:mary@example.net>, , jdoe@test  . example
Date: Tue, 1 Jul 2003 10:52:37 +0200
Message-ID: <5678.21-Nov-1997@example.com>

Hi everyone.
""")

put("11-rfc5322-a6-2-obsolete-date.eml", """\
From: John Doe <jdoe@machine.example>
To: Mary Smith <mary@example.net>
Subject: Saying Hello
Date: 21 Nov 97 09:55:06 GMT
Message-ID: <1234@local.machine.example>

This is a message just to say hello.
So, "Hello".
""")

put("12-rfc5322-a6-3-obsolete-whitespace.eml", """\
From  : John Doe <jdoe@machine(comment).  example>
To    : Mary Smith
  
          <mary@example.net>
Subject     : Saying Hello
Date  : Fri, 21 Nov 1997 09(comment):   55  :  06 -0600
Message-ID  : <1234   @   local(blah)  .machine .example>

This is a message just to say hello.
So, "Hello".
""")

# ------------------------------------------------------------ RFC 2046/2049
put("13-rfc2046-preamble-epilogue.eml", """\
From: Rowan Ashby <rowan@sender.example>
To: Kit Marlow <kit@receiver.example>
Date: Sun, 21 Mar 1993 23:56:48 -0800 (PST)
Subject: Sample message
MIME-Version: 1.0
Content-type: multipart/mixed; boundary="simple boundary"

This is the preamble.  It is to be ignored, though it
is a handy place for composing agents to include an
explanatory note to non-MIME conformant readers.

--simple boundary

This is implicitly typed plain US-ASCII text.
It does NOT end with a linebreak.
--simple boundary
Content-type: text/plain; charset=us-ascii

This is explicitly typed plain US-ASCII text.
It DOES end with a linebreak.

--simple boundary--

This is the epilogue.  It is also to be ignored.
""")

put("14-nested-mixed-alternative.eml", """\
From: Dana Whitfield <dana@corp.example>
To: Team <team@corp.example>
Subject: Agenda for Thursday
Date: Wed, 12 Jun 2024 16:20:00 +0200
Message-ID: <agenda-0612@corp.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer-7f3a"

--outer-7f3a
Content-Type: multipart/alternative; boundary="inner-91bc"

--inner-91bc
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 7bit

Hi all,

Agenda attached. We start at 10:00 sharp.

Dana

--inner-91bc
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: 7bit

<html><body><p>Hi all,</p><p>Agenda attached. We start at <b>10:00</b> sharp.</p><p>Dana</p></body></html>

--inner-91bc--

--outer-7f3a
Content-Type: application/octet-stream; name="agenda.bin"
Content-Disposition: attachment; filename="agenda.bin"
Content-Transfer-Encoding: base64

""", b64(prng("agenda", 300)), """\
--outer-7f3a--
""")

put("15-rfc2049-complex.eml", """\
MIME-Version: 1.0
From: Rowan Ashby <rowan@sender.example>
To: Kit Marlow <kit@receiver.example>
Date: Fri, 07 Oct 1994 16:15:05 -0700 (PDT)
Subject: A multipart example
Content-Type: multipart/mixed;
              boundary=unique-boundary-1

This is the preamble area of a multipart message.
Readers that understand multipart format should ignore it.

--unique-boundary-1

  ... Some text appears here, in a part that has no header at all ...

--unique-boundary-1
Content-type: text/plain; charset=US-ASCII

This could have been part of the previous part, but
illustrates explicit versus implicit typing of body
parts.

--unique-boundary-1
Content-Type: multipart/parallel; boundary=unique-boundary-2

--unique-boundary-2
Content-Type: audio/basic
Content-Transfer-Encoding: base64

""", b64(prng("audio", 600)), """\

--unique-boundary-2
Content-Type: image/jpeg
Content-Transfer-Encoding: base64

""", b64(b"\xff\xd8\xff\xe0" + prng("jpeg", 400) + b"\xff\xd9"), """\

--unique-boundary-2--

--unique-boundary-1
Content-type: text/enriched

This is <bold><italic>enriched.</italic></bold>
<smaller>as defined in RFC 1896</smaller>

Isn't it
<bigger><bigger>cool?</bigger></bigger>

--unique-boundary-1
Content-Type: message/rfc822

From: Kit Marlow <kit@receiver.example>
To: Rowan Ashby <rowan@sender.example>
Subject: Encapsulated note
Content-Type: Text/plain; charset=ISO-8859-1
Content-Transfer-Encoding: Quoted-printable

Voil=E0 the additional text in ISO-8859-1: caf=E9, na=EFve, =A9 1994.

--unique-boundary-1--
""")

put("16-message-rfc822-attached.eml", """\
From: Priya Raman <priya@fwd.example>
To: Ops <ops@fwd.example>
Subject: Fwd: Disk usage warning
Date: Mon, 03 Feb 2025 08:02:11 +0000
Message-ID: <fwd-3321@fwd.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="fwd-boundary"

--fwd-boundary
Content-Type: text/plain; charset=us-ascii

See the original alert below.

--fwd-boundary
Content-Type: message/rfc822
Content-Disposition: attachment; filename="alert.eml"

From: monitor@hosts.fwd.example
To: priya@fwd.example
Subject: Disk usage warning on build-03
Date: Mon, 03 Feb 2025 07:58:40 +0000
Message-ID: <alert-77@hosts.fwd.example>
Content-Type: text/plain; charset=us-ascii

/var is 91% full on build-03.

--fwd-boundary--
""")

put("17-message-rfc822-nested-twice.eml", """\
From: Level Zero <zero@nest.example>
To: Reader <reader@nest.example>
Subject: Fwd: Fwd: the original
Date: Tue, 04 Feb 2025 10:00:00 +0100
Message-ID: <lvl0@nest.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="L0"

--L0
Content-Type: text/plain; charset=utf-8

Outer note.
--L0
Content-Type: message/rfc822

From: Level One <one@nest.example>
To: Level Zero <zero@nest.example>
Subject: Fwd: the original
Date: Tue, 04 Feb 2025 09:00:00 +0100
Message-ID: <lvl1@nest.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="L1"

--L1
Content-Type: text/plain; charset=utf-8

Middle note.
--L1
Content-Type: message/rfc822

From: Level Two <two@nest.example>
To: Level One <one@nest.example>
Subject: the original
Date: Tue, 04 Feb 2025 08:00:00 +0100
Message-ID: <lvl2@nest.example>
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Innermost text, with an accent: d\u00e9j\u00e0 vu.
--L1--
--L0--
""")

put("18-multipart-digest.eml", """\
From: List Robot <robot@lists.example>
To: Subscribers <subscribers@lists.example>
Subject: Weekly digest, issue 12
Date: Sun, 09 Mar 2025 06:00:00 +0000
Message-ID: <digest-12@lists.example>
MIME-Version: 1.0
Content-Type: multipart/digest; boundary="digest-sep"

Table of contents: 3 messages.

--digest-sep

From: Alice Example <alice@lists.example>
Subject: First topic
Date: Mon, 03 Mar 2025 10:00:00 +0000

First message of the digest, no Content-Type anywhere.

--digest-sep

From: Bob Example <bob@lists.example>
Subject: Re: First topic
Date: Tue, 04 Mar 2025 11:30:00 +0000
Content-Type: text/plain; charset=iso-8859-1
Content-Transfer-Encoding: quoted-printable

Second message, Latin-1 inside: gar=E7on.

--digest-sep
Content-Type: text/plain; charset=us-ascii

An explicitly typed text part inside the digest.

--digest-sep--
""")

put("19-multipart-related-cid.eml", """\
From: Design <design@studio.example>
To: Client <client@buyer.example>
Subject: Mock-up with inline logo
Date: Thu, 20 Feb 2025 14:45:00 -0500
Message-ID: <mockup-5@studio.example>
MIME-Version: 1.0
Content-Type: multipart/related; boundary="rel-b"; type="text/html"

--rel-b
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: quoted-printable

<html><body><h1>Mock-up</h1><img src=3D"cid:logo.1@studio.example" alt=3D"l=
ogo"></body></html>
--rel-b
Content-Type: image/png
Content-ID: <logo.1@studio.example>
Content-Disposition: inline; filename="logo.png"
Content-Transfer-Encoding: base64

""", b64(b"\x89PNG\r\n\x1a\n" + prng("png", 500)), """\
--rel-b--
""")

# ------------------------------------------------------- RFC 2047 / 2231
put("20-rfc2047-encoded-words.eml", """\
From: =?ISO-8859-1?Q?Ren=E9e_Lef=E8vre?= <renee@words.example>
To: =?UTF-8?B?w4Vzc2UgQmrDuHJr?= <asse@words.example>,
 "=?utf-8?q?J=C3=BCrgen?=" <jurgen@words.example>
Cc: =?iso-8859-1?q?Fran=E7ois?= =?iso-8859-1?q?_M=FCller?= <fm@words.example>
Subject: =?UTF-8?Q?Caf=C3=A9_menu?= =?UTF-8?B?IOKAkyBjcsOobWUgYnLDu2zDqWU=?=
 and plain text, =?ISO-8859-1?Q?na=EFve?= end
Date: Sat, 15 Mar 2025 12:00:00 +0100
Message-ID: <ew-1@words.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Encoded words in From, To, Cc and a folded Subject.
""")

put("21-rfc2231-filenames.eml", """\
From: Files <files@params.example>
To: Someone <someone@params.example>
Subject: RFC 2231 file names
Date: Sun, 16 Mar 2025 09:30:00 +0000
Message-ID: <rfc2231@params.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="p2231"

--p2231
Content-Type: text/plain; charset=us-ascii
Content-Disposition: attachment;
 filename*0="a rather long file name that was ";
 filename*1="split into two pieces.txt"

continuation parameters
--p2231
Content-Type: text/plain; charset=us-ascii
Content-Disposition: attachment; filename*=UTF-8''%E2%82%AC%20exchange%20rates.txt

percent-encoded UTF-8
--p2231
Content-Type: text/plain; charset=us-ascii
Content-Disposition: attachment; filename*=iso-8859-1'fr'd%E9j%E0%20vu.txt

charset and language
--p2231
Content-Type: text/plain; charset=us-ascii
Content-Disposition: attachment; filename*0*=UTF-8''na%C3%AFve%20;
 filename*1="plan.txt"

encoded first segment, plain second segment
--p2231
Content-Type: application/octet-stream; name*=UTF-8''%C3%BCbersicht.dat
Content-Transfer-Encoding: base64

AAECAwQFBgc=
--p2231--
""")

# ------------------------------------------------------- multipart damage
put("22-boundary-tspecials-unquoted.eml", """\
From: Mailer <mailer@webmail.example>
To: user@webmail.example
Subject: Unquoted boundary with tspecials
Date: Mon, 17 Mar 2025 18:00:00 +0000
Message-ID: <part0@webmail.example>
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary=----=_Part_0_123.456

------=_Part_0_123.456
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: 7bit

Plain alternative.
------=_Part_0_123.456
Content-Type: text/html; charset=UTF-8
Content-Transfer-Encoding: 7bit

<p>HTML alternative.</p>
------=_Part_0_123.456--
""")

put("23-missing-close-delimiter.eml", """\
From: Truncated <trunc@damage.example>
To: user@damage.example
Subject: Close delimiter never comes
Date: Tue, 18 Mar 2025 08:00:00 +0000
Message-ID: <noclose@damage.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="never-closed"

--never-closed
Content-Type: text/plain; charset=us-ascii

First part.
--never-closed
Content-Type: text/plain; charset=us-ascii

Second part; the message simply ends here
without a close delimiter.
""")

put("24-close-delimiter-junk.eml", """\
From: Junk <junk@damage.example>
To: user@damage.example
Subject: Junk after the close delimiter
Date: Tue, 18 Mar 2025 08:05:00 +0000
Message-ID: <junkclose@damage.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="frontier"

--frontier
Content-Type: text/plain; charset=us-ascii

Only part.
--frontier--This text is glued to the close delimiter.
And this is the epilogue.
""")

put("25-boundary-lookalike.eml", """\
From: Lookalike <look@damage.example>
To: user@damage.example
Subject: Lines that start like the boundary
Date: Tue, 18 Mar 2025 08:10:00 +0000
Message-ID: <lookalike@damage.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="frontier"

--frontier
Content-Type: text/plain; charset=us-ascii

Part one.
--frontierX is not a delimiter: it has more characters.
--frontier-suffix is not a delimiter either.
End of part one.
--frontier \t
Content-Type: text/plain; charset=us-ascii

Part two; the delimiter before it has transport padding (space, tab).
--frontier--
""")

put("26-nested-boundary-prefix.eml", """\
From: Prefix <prefix@damage.example>
To: user@damage.example
Subject: Inner boundary starts with the outer one
Date: Tue, 18 Mar 2025 08:15:00 +0000
Message-ID: <prefix@damage.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="abc"

--abc
Content-Type: multipart/alternative; boundary="abc-inner"

--abc-inner
Content-Type: text/plain; charset=us-ascii

inner plain
--abc-inner
Content-Type: text/html; charset=us-ascii

<p>inner html</p>
--abc-inner--
--abc
Content-Type: text/plain; charset=us-ascii

outer second part
--abc--
""")

put("27-empty-parts.eml", """\
From: Empty <empty@damage.example>
To: user@damage.example
Subject: Empty body parts
Date: Tue, 18 Mar 2025 08:20:00 +0000
Message-ID: <empty@damage.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="e"

--e
--e

--e
Content-Type: text/plain; charset=us-ascii

--e
Content-Type: text/plain; charset=us-ascii

not empty
--e--
""")

put("28-part-without-header.eml", """\
From: Headless <headless@damage.example>
To: user@damage.example
Subject: Parts with no header lines
Date: Tue, 18 Mar 2025 08:25:00 +0000
Message-ID: <headless@damage.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="h"

--h

A part with an empty header: just the blank line, then this body.
--h
This part has no blank line and no header at all.
Its first line has no colon.
--h--
""")

put("29-part-missing-blank-line.eml", """\
From: Noblank <noblank@damage.example>
To: user@damage.example
Subject: Part header without the blank line after it
Date: Tue, 18 Mar 2025 08:30:00 +0000
Message-ID: <noblank@damage.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="n"

--n
Content-Type: text/plain; charset=us-ascii
Hello there, the blank line after the part header is missing.
--n
Content-Type: text/plain; charset=us-ascii
Note: this line has the form of a header field.

And this is the body after a real blank line.
--n--
""")

put("30-multipart-no-boundary.eml", """\
From: Noboundary <nob@damage.example>
To: user@damage.example
Subject: Multipart without a boundary parameter
Date: Tue, 18 Mar 2025 08:35:00 +0000
Message-ID: <nob@damage.example>
MIME-Version: 1.0
Content-Type: multipart/mixed

--something
Content-Type: text/plain

This looks like a part but no boundary was declared.
--something--
""")

# ------------------------------------------------------------- charsets
put("31-latin1-raw-headers.eml", """\
From: """, "Jos\u00e9 N\u00fa\u00f1ez".encode("latin-1"), """ <jose@raw8.example>
To: """, "Ma\u00eft\u00e9 Gar\u00e7on".encode("latin-1"), """ <maite@raw8.example>
Subject: """, "Caf\u00e9 \u00e0 Paris, d\u00e9j\u00e0 r\u00e9serv\u00e9".encode("latin-1"), """
Date: Wed, 19 Mar 2025 11:00:00 +0100
Message-ID: <raw-latin1@raw8.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=iso-8859-1
Content-Transfer-Encoding: 8bit

""", "R\u00e9sum\u00e9 in Latin-1: \u00e0 bient\u00f4t.\n".replace("\n", "\r\n").encode("latin-1"))

put("32-utf8-raw-headers.eml", """\
From: J\u00fcrgen Gro\u00df <j\u00fcrgen@b\u00fccher.example>
To: \u738b\u5c0f\u660e <xiaoming@\u4f8b\u3048.example>
Subject: \u00dcbersicht \u2013 \u65e5\u672c\u8a9e \U0001F600 ok
Date: Wed, 19 Mar 2025 11:05:00 +0100
Message-ID: <raw-utf8@eai.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

RFC 6532 header fields: raw UTF-8 everywhere, stra\u00dfe \u2192 \u8857.
""")

put("33-cp1252-declared-latin1.eml", """\
From: Legacy <legacy@cp.example>
To: user@cp.example
Subject: Smart quotes labelled as Latin-1
Date: Wed, 19 Mar 2025 11:10:00 +0100
Message-ID: <cp1252@cp.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=iso-8859-1
Content-Transfer-Encoding: 8bit

""", b"\x93Quoted\x94 \x96 the price is \x80" b"5 \x85 it\x92s caf\xe9.\r\n")

put("34-charset-aliases.eml", """\
From: Aliases <alias@cs.example>
To: user@cs.example
Subject: Charset labels in odd spellings
Date: Wed, 19 Mar 2025 11:15:00 +0100
Message-ID: <aliases@cs.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="cs"

--cs
Content-Type: text/plain; charset=UTF8
Content-Transfer-Encoding: 8bit

UTF8 label: \u00e9t\u00e9
--cs
Content-Type: text/plain; charset=latin1
Content-Transfer-Encoding: 8bit

""", "latin1 label: \u00e9t\u00e9".encode("latin-1"), """
--cs
Content-Type: text/plain; charset=us-ascii

us-ascii label, ASCII only
--cs
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: 8bit

quoted "utf-8" label: \u00e9t\u00e9
--cs
Content-Type: text/plain; charset=Utf-8
Content-Transfer-Encoding: 8bit

mixed case Utf-8 label: \u00e9t\u00e9
--cs
Content-Type: text/plain; charset=ISO_8859-1
Content-Transfer-Encoding: 8bit

""", "ISO_8859-1 label: \u00e9t\u00e9".encode("latin-1"), """
--cs
Content-Type: text/plain; charset=windows-1252
Content-Transfer-Encoding: 8bit

""", b"windows-1252 label: \x93\xe9t\xe9\x94", """
--cs--
""")

put("35-unknown-charset.eml", """\
From: Unknown <unknown@cs.example>
To: user@cs.example
Subject: =?x-unknown-charset?Q?hello_there?= and text
Date: Wed, 19 Mar 2025 11:20:00 +0100
Message-ID: <unknown@cs.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="u"

--u
Content-Type: text/plain; charset=x-klingon-pIqaD
Content-Transfer-Encoding: 8bit

Valid UTF-8 in an unknown charset: na\u00efve
--u
Content-Type: text/plain; charset=x-klingon-pIqaD
Content-Transfer-Encoding: 8bit

""", b"Latin-1 bytes in an unknown charset: na\xefve \x93q\x94", """
--u--
""")

put("36-bare-lf.eml", """\
From: Unix Box <root@lf.example>
To: admin@lf.example
Subject: Bare LF line endings throughout
Date: Thu, 20 Mar 2025 03:00:01 +0000
Message-ID: <barelf@lf.example>
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="lf"

--lf
Content-Type: text/plain; charset=us-ascii

Every line of this file ends in LF only.
Second line.
--lf
Content-Type: text/html; charset=us-ascii

<p>Every line of this file ends in LF only.</p>
--lf--
""", nl="\n")

put("37-mixed-crlf-lf.eml",
    b"From: Mixed <mixed@lf.example>\r\n"
    b"To: admin@lf.example\n"
    b"Subject: Mixed CRLF and LF\r\n"
    b"Date: Thu, 20 Mar 2025 03:05:00 +0000\n"
    b"Message-ID: <mixed@lf.example>\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: multipart/mixed; boundary=\"m\"\n"
    b"\r\n"
    b"--m\n"
    b"Content-Type: text/plain; charset=us-ascii\r\n"
    b"\n"
    b"line one ends in CRLF\r\n"
    b"line two ends in LF\n"
    b"line three ends in CRLF\r\n"
    b"--m\r\n"
    b"Content-Type: text/plain; charset=us-ascii\n"
    b"\r\n"
    b"second part\n"
    b"--m--\n")

put("38-8bit-body-no-charset.eml", """\
From: Nocharset <nocs@cs.example>
To: user@cs.example
Subject: 8-bit body, no charset,\n\tno transfer encoding  \t
Date: Thu, 20 Mar 2025 09:00:00 +0000
Message-ID: <nocs@cs.example>

UTF-8 bytes with no declared charset: gr\u00fc\u00dfe, \u20ac10.
""")

# --------------------------------------------------- transfer encodings
_blob = prng("b64damage", 120)
_enc = base64.b64encode(_blob).decode()
_odd = "\n".join([_enc[0:13], _enc[13:63], _enc[63:70], _enc[70:]]) + "\n"
_nopad = base64.b64encode(b"no padding here!!").decode().rstrip("=") + "\n"
_garbage = base64.b64encode(b"garbage characters are ignored").decode()
_garbage = _garbage[:8] + "!*" + _garbage[8:20] + " \t" + _garbage[20:] + "\n"
put("39-base64-damaged.eml", """\
From: B64 <b64@cte.example>
To: user@cte.example
Subject: Damaged base64
Date: Fri, 21 Mar 2025 10:00:00 +0000
Message-ID: <b64@cte.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b"

--b
Content-Type: application/octet-stream; name="odd-lines.bin"
Content-Transfer-Encoding: base64

""", _odd, """\
--b
Content-Type: text/plain; charset=us-ascii
Content-Transfer-Encoding: base64

""", _nopad, """\
--b
Content-Type: text/plain; charset=us-ascii
Content-Transfer-Encoding: base64

""", _garbage, """\
--b
Content-Type: text/plain; charset=us-ascii
Content-Transfer-Encoding: base64

aGVsbG8=IHdvcmxk
--b
Content-Type: text/plain; charset=us-ascii
Content-Transfer-Encoding: base64

""", b64(b"line one\r\nline two\r\nbare\rCR\n"), """\
--b--
""")

put("40-qp-soft-breaks-bad-escapes.eml", """\
From: QP <qp@cte.example>
To: user@cte.example
Subject: Quoted-printable edge cases
Date: Fri, 21 Mar 2025 10:05:00 +0000
Message-ID: <qp@cte.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Soft line br=
eak joins these words. caf=C3=A9 and lower-case caf=c3=a9.
Bad escape =ZZ stays, lone = sign stays, and =4 near the end.
Trailing spaces are transport padding \t
Soft break with padding after the equals sign =  
continues here.
Last line ends with a soft break=
""")

put("41-cte-odd-case-unknown.eml", """\
From: CTE <cte@cte.example>
To: user@cte.example
Subject: Transfer-encoding labels in odd case and unknown ones
Date: Fri, 21 Mar 2025 10:10:00 +0000
Message-ID: <cte@cte.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="c"

--c
Content-Type: text/plain; charset=us-ascii
Content-Transfer-Encoding: BASE64

VXBwZXItY2FzZSBCQVNFNjQgbGFiZWwu
--c
Content-Type: text/plain; charset=us-ascii
Content-Transfer-Encoding:  Quoted-Printable\x20

Mixed-case label with white space: soft=
 break, equals =3D sign.
--c
Content-Type: text/plain; charset=us-ascii
Content-Transfer-Encoding: x-gzip64

H4sIAAAAAAAAA8tIzcnJBwCGphA2BQAAAA==
--c
Content-Type: text/plain; charset=us-ascii
Content-Transfer-Encoding: 8BIT

Upper-case 8BIT label.
--c--
""")

# ------------------------------------------------------------- structure
def deep(levels):
    head = """\
From: Deep <deep@struct.example>
To: user@struct.example
Subject: Thirty levels of multipart nesting
Date: Sat, 22 Mar 2025 12:00:00 +0000
Message-ID: <deep30@struct.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="lvl-01"

"""
    s = head
    for i in range(1, levels + 1):
        s += "--lvl-%02d\n" % i
        if i < levels:
            s += 'Content-Type: multipart/mixed; boundary="lvl-%02d"\n\n' % (i + 1)
        else:
            s += "Content-Type: text/plain; charset=us-ascii\n\nThe bottom, %d levels down.\n" % levels
    for i in range(levels, 0, -1):
        s += "--lvl-%02d--\n" % i
    return s


put("42-deep-nesting-30.eml", deep(30))

_fifty = """\
From: Many <many@struct.example>
To: user@struct.example
Subject: Fifty parts
Date: Sat, 22 Mar 2025 12:05:00 +0000
Message-ID: <fifty@struct.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="fifty"

"""
for _i in range(1, 51):
    _fifty += "--fifty\nContent-Type: text/plain; charset=us-ascii\n\nThis is part number %d of 50.\n" % _i
_fifty += "--fifty--\n"
put("43-fifty-parts.eml", _fifty)

_recv = ""
for _i in range(200, 0, -1):
    _recv += ("Received: from relay%d.hop.example (relay%d.hop.example [192.0.2.%d])\n"
              "\tby relay%d.hop.example with ESMTP id H%05d;\n"
              "\tSat, 22 Mar 2025 %02d:%02d:%02d +0000\n") % (
        _i - 1, _i - 1, _i % 250 + 1, _i, _i, 10 + _i // 60 // 60, (_i // 60) % 60, _i % 60)
put("44-200-received.eml", _recv, """\
From: Looper <looper@hop.example>
To: user@hop.example
Subject: Two hundred Received fields
Date: Sat, 22 Mar 2025 10:00:00 +0000
Message-ID: <hops@hop.example>

Passed through many relays.
""")

# ---------------------------------------------------- names, dispositions
put("45-filenames-dispositions.eml", """\
From: Names <names@att.example>
To: user@att.example
Subject: Attachment names and dispositions
Date: Sat, 22 Mar 2025 13:00:00 +0000
Message-ID: <names@att.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="nm"

--nm
Content-Type: text/plain; charset=us-ascii
Content-Disposition: inline

Inline text.
--nm
Content-Type: application/octet-stream; name="report.bin"
Content-Transfer-Encoding: base64

""", b64(prng("report", 64)), """\
--nm
Content-Type: application/octet-stream; name="from-type.dat"
Content-Disposition: attachment
Content-Transfer-Encoding: base64

""", b64(prng("fromtype", 32)), """\
--nm
Content-Type: application/octet-stream; name="type-name.dat"
Content-Disposition: attachment; filename="disposition-name.dat"
Content-Transfer-Encoding: base64

""", b64(prng("both", 16)), """\
--nm
Content-Type: text/plain; charset=us-ascii
Content-Disposition: attachment; filename="notes.txt"; size=22

Text as an attachment.
--nm
Content-Type: text/plain; charset=us-ascii
Content-Disposition: INLINE; filename="LOUD.TXT"

Upper-case disposition type.
--nm
Content-Type: text/plain; charset=us-ascii
Content-Disposition: form-data; name="field1"

Neither inline nor attachment.
--nm
Content-Type: text/plain; charset=us-ascii
Content-Disposition: ; filename="empty-type.txt"

Disposition with no type.
--nm--
""")

put("46-rfc2047-damage.eml", """\
From: =?utf-8?q?Ana_?= =?utf-8?q?Lima?= <ana@words.example>
To: "Quoted =?utf-8?q?J=C3=BCrgen?= inside" <jurgen@words.example>
Subject: =?utf-8?q?caf=C3?= =?utf-8?q?=A9?= split, glued=?utf-8?q?_word?= and
 =?utf-8?b?w6k?= unpadded, =?utf-8?q?bad=ZZescape?= end
Date: Sat, 15 Mar 2025 12:30:00 +0100
Message-ID: <ew-2@words.example>

Encoded words that break RFC 2047 rules.
""")

_ics = """\
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//mailwire corpus//EN
METHOD:REQUEST
BEGIN:VEVENT
UID:event-42@cal.example
DTSTAMP:20250323T090000Z
DTSTART:20250401T130000Z
DTEND:20250401T140000Z
SUMMARY:Caf\u00e9 review
ORGANIZER:mailto:planner@cal.example
ATTENDEE;RSVP=TRUE:mailto:user@cal.example
END:VEVENT
END:VCALENDAR
"""
put("47-text-calendar.eml", """\
From: Planner <planner@cal.example>
To: user@cal.example
Subject: Invitation: review
Date: Sun, 23 Mar 2025 09:00:00 +0000
Message-ID: <invite-42@cal.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="cal-mixed"

--cal-mixed
Content-Type: multipart/alternative; boundary="cal-alt"

--cal-alt
Content-Type: text/plain; charset=UTF-8

You are invited to the review on 1 April at 13:00 UTC.
--cal-alt
Content-Type: text/calendar; charset=UTF-8; method=REQUEST
Content-Transfer-Encoding: 8bit

""", _ics, """\
--cal-alt--
--cal-mixed
Content-Type: application/ics; name="invite.ics"
Content-Disposition: attachment; filename="invite.ics"
Content-Transfer-Encoding: base64

""", b64(_ics.replace("\n", "\r\n").encode()), """\
--cal-mixed--
""")

_pdf = (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\nstream\n"
        + prng("pdf", 3000) + b"\nendstream\n%%EOF\n")
put("48-pdf-attachment.eml", """\
From: Scanner <scanner@office.example>
To: user@office.example
Subject: Scanned document
Date: Sun, 23 Mar 2025 09:30:00 +0000
Message-ID: <scan-0001@office.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="scan"

--scan
Content-Type: text/plain; charset=us-ascii

Scanned document attached.
--scan
Content-Type: application/pdf
Content-Disposition: attachment; filename="scan-0001.pdf"
Content-Transfer-Encoding: base64

""", b64(_pdf), """\
--scan--
""")

# ------------------------------------------------------------------ dates
def dated(name, date, note, mid=None):
    put(name, """\
From: Clock <clock@dates.example>
To: user@dates.example
Subject: %s
Date: %s
Message-ID: %s

%s
""" % (note, date, mid or "<%s@dates.example>" % name[:2], note))


dated("49-date-obsolete-zone.eml", "Tue, 4 Mar 2003 12:00:00 EDT", "Obsolete alphabetic zone EDT")
dated("50-date-military-zone.eml", "Tue, 4 Mar 2003 12:00:00 Z", "Military zone Z")
dated("51-date-two-digit-year.eml", "Fri, 21 Nov 55 09:55:06 +0000", "Two-digit year 55")
dated("52-date-three-digit-year.eml", "Tue, 4 Mar 103 12:00:00 +0000", "Three-digit year 103")
dated("53-date-comments.eml", "Mon (Monday), 7 Jul 2008 09:15 (no seconds) +0100 (BST)",
      "Comments inside the date")
dated("54-date-garbage-zone.eml", "Tue, 4 Mar 2003 12:00:00 EST5EDT", "Zone written as EST5EDT")
put("55-header-value-damage.eml", """\
From: Clock <clock@dates.example>
To: user@dates.example
Cc:
Subject:\x20\x20
Date: sometime last week
Message-ID:   no-brackets.4711@dates.example\x20\x20
X-Empty:

Nonsense date, Message-ID without angle brackets, empty Cc and Subject.
""")
dated("56-date-unknown-offset.eml", "Tue, 4 Mar 2003 12:00:00 -0000",
      "Offset -0000 means unknown local time")

# ------------------------------------------------------- bare CR, empties
put("57-bare-cr.eml",
    b"From: Carriage <cr@damage.example>\r\n"
    b"To: user@damage.example\r\n"
    b"Date: Sat, 22 Mar 2025 15:00:00 +0000\r\n"
    b"Message-ID: <barecr@damage.example>\r\n"
    b"Subject: Bare\rCR in the subject\r\n"
    b"\r\n"
    b"A body line with a bare\rCR in the middle.\r\n")

# ----------------------------------------------------- larger, realistic
def newsletter():
    items = []
    for i in range(1, 41):
        items.append(
            '<tr><td class="item" style="padding:12px 24px;font-family:Helvetica,Arial,sans-serif;'
            'font-size:15px;line-height:22px;color:#333333">'
            '<h2 style="margin:0 0 8px 0;font-size:18px">Story %d: caf\u00e9 owners try a four-day week</h2>'
            '<p style="margin:0">Paragraph %d of the weekly letter \u2013 prices in \u20ac, '
            'a link to <a href="https://news.example/story/%d?utm_source=letter&amp;utm_medium=email">'
            'the full article</a>.</p></td></tr>' % (i, i, i))
    html = ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>Weekly</title></head>'
            '<body style="margin:0;padding:0"><table width="100%%" cellpadding="0" cellspacing="0">'
            '%s</table><p style="font-size:11px">Unsubscribe: https://news.example/u?id=12345</p>'
            '</body></html>\n') % "".join(items)
    text = "".join("Story %d: caf\u00e9 owners try a four-day week\n"
                   "https://news.example/story/%d\n\n" % (i, i) for i in range(1, 41))
    import quopri
    qh = quopri.encodestring(html.encode("utf-8")).decode("ascii")
    qt = quopri.encodestring(text.encode("utf-8")).decode("ascii")
    return """\
From: "The Weekly" <letter@news.example>
To: reader@news.example
Subject: =?utf-8?q?This_week=3A_caf=C3=A9s=2C_trains_and_a_four-day_week?=
Date: Mon, 24 Mar 2025 07:00:00 +0000
Message-ID: <weekly-2025-13@news.example>
List-Unsubscribe: <https://news.example/u?id=12345>
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="=_letter_2025_13"

--=_letter_2025_13
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

""" + qt + """\
--=_letter_2025_13
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: quoted-printable

""" + qh + """\
--=_letter_2025_13--
"""


put("58-newsletter-qp-html.eml", newsletter())

put("59-reply-thread-quoted.eml", """\
From: Sam Okafor <sam@team.example>
To: Lee Park <lee@team.example>, Ana Silva <ana@team.example>
Cc: "Okafor, Sam (archive)" <sam.archive@team.example>
Subject: Re: Re: quarterly planning notes and the
 budget spreadsheet
Date: Tue, 25 Mar 2025 17:42:09 -0400
Message-ID: <CAF=reply.3@team.example>
In-Reply-To: <CAF=reply.2@team.example>
References: <CAF=start.1@team.example>
 <CAF=reply.2@team.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8; format=flowed
Content-Transfer-Encoding: 8bit

Agreed on both points. I will update the sheet tonight.

On Tue, 25 Mar 2025 at 15:10, Lee Park <lee@team.example> wrote:
> I think the travel line is too low.
> Also, can we move the review to Friday?
>
> On Mon, 24 Mar 2025 at 09:00, Sam Okafor <sam@team.example> wrote:
>> Draft numbers are in the shared sheet.
>> Please comment before Wednesday \u2013 thanks!
>>
>> -- 
>> Sam

-- 
Sam Okafor
""")

put("60-large-base64-attachment.eml", """\
From: Archive <archive@big.example>
To: user@big.example
Subject: Backup archive
Date: Wed, 26 Mar 2025 02:00:00 +0000
Message-ID: <backup-20250326@big.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="big"

--big
Content-Type: text/plain; charset=us-ascii

Nightly archive attached (204800 bytes).
--big
Content-Type: application/octet-stream; name="backup.bin"
Content-Disposition: attachment; filename="backup.bin"
Content-Transfer-Encoding: base64

""", b64(prng("backup", 204800)), """\
--big--
""")


def main():
    os.makedirs(OUT, exist_ok=True)
    for name in os.listdir(OUT):
        if name.endswith(".eml") and name not in FILES:
            os.remove(os.path.join(OUT, name))
    for name, data in sorted(FILES.items()):
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
    print("%d files written to %s" % (len(FILES), os.path.normpath(OUT)), file=sys.stderr)


if __name__ == "__main__":
    main()
