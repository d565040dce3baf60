//! The envelope of a transaction: sender, recipients, parameters.

use mailwire_core::Mailbox;

use crate::types::{ForwardPath, MailParams, Path, RcptParams, ReversePath};

/// The envelope of one transaction: who sends, to whom, with which
/// ESMTP parameters.
///
/// The client fills `SIZE`, `BODY` and `SMTPUTF8` itself from what the
/// server offers and what the message holds; set them in
/// [`params`](Self::params) only to force them (`BODY=8BITMIME` or
/// `BODY=BINARYMIME` for a streamed message, `SMTPUTF8` for UTF-8
/// headers, `SIZE` for a streamed message of known size). DSN parameters
/// go out only when the server offers `DSN` (see
/// [`DsnFallback`](super::DsnFallback)).
///
/// ```
/// use mailwire_smtp::client::Envelope;
/// use mailwire_smtp::types::{Notify, RcptParams};
///
/// let mut envelope = Envelope::from_addresses("joe@example.org", &["ann@example.net"])?;
/// let mut params = RcptParams::default();
/// params.notify = Some(Notify { failure: true, ..Notify::NEVER });
/// envelope = envelope.recipient_with(
///     mailwire_smtp::types::ForwardPath::Postmaster,
///     params,
/// );
/// assert_eq!(envelope.recipients.len(), 2);
/// # Ok::<(), mailwire_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Envelope<'a> {
    /// The sender, or `<>` for a bounce.
    pub reverse_path: ReversePath<'a>,
    /// `MAIL FROM` parameters.
    pub params: MailParams<'a>,
    /// The recipients, in the order `RCPT TO` is sent.
    pub recipients: Vec<Recipient<'a>>,
}

/// One recipient of an [`Envelope`].
///
/// ```
/// use mailwire_smtp::client::Recipient;
/// use mailwire_smtp::types::{ForwardPath, RcptParams};
///
/// let r = Recipient { forward_path: ForwardPath::Postmaster, params: RcptParams::default() };
/// assert_eq!(r.forward_path.to_string(), "<Postmaster>");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient<'a> {
    /// The recipient.
    pub forward_path: ForwardPath<'a>,
    /// `RCPT TO` parameters.
    pub params: RcptParams<'a>,
}

impl<'a> Envelope<'a> {
    /// An envelope from `reverse_path` with no recipient yet and no
    /// parameters.
    ///
    /// ```
    /// use mailwire_smtp::client::Envelope;
    /// use mailwire_smtp::types::ReversePath;
    ///
    /// let bounce = Envelope::new(ReversePath::Null);
    /// assert!(bounce.recipients.is_empty());
    /// ```
    #[must_use]
    pub fn new(reverse_path: ReversePath<'a>) -> Self {
        Self {
            reverse_path,
            params: MailParams::default(),
            recipients: Vec::new(),
        }
    }

    /// Parses the sender and recipient addresses (RFC 5321 `Mailbox`,
    /// UTF-8 allowed as RFC 6531 extends it); an empty sender is `<>`.
    ///
    /// # Errors
    ///
    /// The first address that does not parse.
    ///
    /// ```
    /// use mailwire_smtp::client::Envelope;
    ///
    /// let e = Envelope::from_addresses("", &["jörg@bücher.example"])?;
    /// assert_eq!(e.reverse_path.to_string(), "<>");
    /// assert!(Envelope::from_addresses("not an address", &[]).is_err());
    /// # Ok::<(), mailwire_core::Error>(())
    /// ```
    pub fn from_addresses(from: &'a str, to: &[&'a str]) -> Result<Self, mailwire_core::Error> {
        let reverse_path = if from.is_empty() {
            ReversePath::Null
        } else {
            ReversePath::Path(Path::new(Mailbox::parse_smtp_utf8(from.as_bytes())?))
        };
        let mut envelope = Self::new(reverse_path);
        for address in to {
            let mailbox = Mailbox::parse_smtp_utf8(address.as_bytes())?;
            envelope = envelope.recipient(ForwardPath::Path(Path::new(mailbox)));
        }
        Ok(envelope)
    }

    /// Adds a recipient with no parameters.
    ///
    /// ```
    /// use mailwire_smtp::client::Envelope;
    /// use mailwire_smtp::types::{ForwardPath, ReversePath};
    ///
    /// let e = Envelope::new(ReversePath::Null).recipient(ForwardPath::Postmaster);
    /// assert_eq!(e.recipients.len(), 1);
    /// ```
    #[must_use]
    pub fn recipient(self, forward_path: ForwardPath<'a>) -> Self {
        self.recipient_with(forward_path, RcptParams::default())
    }

    /// Adds a recipient with parameters (`NOTIFY`, `ORCPT`, ...).
    ///
    /// ```
    /// use mailwire_smtp::client::Envelope;
    /// use mailwire_smtp::types::{ForwardPath, RcptParams, ReversePath};
    ///
    /// let e = Envelope::new(ReversePath::Null)
    ///     .recipient_with(ForwardPath::Postmaster, RcptParams::default());
    /// assert_eq!(e.recipients[0].forward_path, ForwardPath::Postmaster);
    /// ```
    #[must_use]
    pub fn recipient_with(mut self, forward_path: ForwardPath<'a>, params: RcptParams<'a>) -> Self {
        self.recipients.push(Recipient {
            forward_path,
            params,
        });
        self
    }

    /// Sets the `MAIL FROM` parameters.
    ///
    /// ```
    /// use mailwire_smtp::client::Envelope;
    /// use mailwire_smtp::types::{MailParams, Ret, ReversePath};
    ///
    /// let mut params = MailParams::default();
    /// params.ret = Some(Ret::Headers);
    /// let e = Envelope::new(ReversePath::Null).with_params(params);
    /// assert_eq!(e.params.ret, Some(Ret::Headers));
    /// ```
    #[must_use]
    pub fn with_params(mut self, params: MailParams<'a>) -> Self {
        self.params = params;
        self
    }
}
