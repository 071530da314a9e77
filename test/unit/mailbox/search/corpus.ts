import type { SearchDoc } from '../../../../src/mailbox/search/engine.js'
import type { MailAddress } from '../../../../src/mailbox/mime/types.js'

/** A small hand-made mailbox whose every search result can be worked out by hand. */

/** Midnight UTC of day `n` of January 2026: message mNN is dated day NN. */
export const day = (n: number): number => Date.UTC(2026, 0, n)

const ME: MailAddress = { name: 'Alice Smith', address: 'alice.smith@example.org' }
const BOB: MailAddress = { name: 'Bob Brown', address: 'bob@example.com' }
const CAROL: MailAddress = { name: 'Carol Jones', address: 'carol@jones.net' }
const DAVE: MailAddress = { name: 'Dave', address: 'dave@travel.example' }
const EVE: MailAddress = { name: '', address: 'eve@secret.example' }
const SHOP: MailAddress = { name: 'Shop Billing', address: 'billing@shop.example' }
const NEWS: MailAddress = { name: 'The Paper', address: 'news@paper.example' }
const BANK: MailAddress = { name: 'Bank', address: 'security@bank.example' }
const EMILE: MailAddress = { name: 'Émile Zola', address: 'emile@zola.fr' }
const FRANK: MailAddress = { name: 'Frank', address: 'frank@corp.example' }
const SPAMMER: MailAddress = { name: '', address: 'spammer@bad.example' }
const TAX: MailAddress = { name: 'Tax Office', address: 'taxes@gov.example' }
const GYM: MailAddress = { name: 'Gym', address: 'hello@gym.example' }

/** Message `mNN` dated day NN, in the inbox, unread, to Alice, unless `fields` says otherwise. */
export function message(n: number, fields: Partial<SearchDoc>): SearchDoc {
  return {
    id: `m${String(n).padStart(2, '0')}`,
    folder: 'inbox',
    labels: [],
    seen: false,
    flagged: false,
    answered: false,
    hasAttachments: false,
    date: day(n),
    size: 1_000,
    subject: '',
    body: '',
    from: [],
    to: [ME],
    cc: [],
    bcc: [],
    filenames: [],
    ...fields,
  }
}

/** {@link message} from `from` with `subject` and `body`. */
const mail = (
  n: number,
  from: MailAddress,
  subject: string,
  body: string,
  fields: Partial<SearchDoc> = {},
): SearchDoc => message(n, { from: [from], subject, body, ...fields })

export const CORPUS: readonly SearchDoc[] = [
  mail(
    1,
    BOB,
    'Quarterly report Q3',
    'Please find the numbers attached. Call me if anything looks off.',
    { filenames: ['report-q3.pdf'], hasAttachments: true, labels: ['Work'], size: 50_000 },
  ),
  mail(
    2,
    BOB,
    'Lunch on Friday?',
    'Shall we try the new ramen place near the office? The quarterly report can wait.',
    { seen: true, size: 2_000 },
  ),
  mail(3, CAROL, 'Bill of sale', 'Attached is the bill of sale for the car.', {
    filenames: ['bill-of-sale.pdf'],
    hasAttachments: true,
    folder: 'archive',
    labels: ['family', 'receipts'],
    seen: true,
    size: 80_000,
  }),
  mail(4, SHOP, 'Invoice 2291', 'Your invoice is due. Invoices are sent monthly.', {
    labels: ['receipts'],
    flagged: true,
    size: 3_000,
  }),
  mail(5, ME, 'Re: Invoice 2291', 'Paid the invoice yesterday.', {
    to: [SHOP],
    folder: 'sent',
    seen: true,
    answered: true,
    size: 1_500,
  }),
  mail(6, DAVE, 'Trip to Tokyo', '東京都 is big. We land in Tokyo on Monday.', {
    cc: [BOB],
    labels: ['travel'],
    size: 4_000,
  }),
  mail(7, DAVE, 'Photos', 'Pictures from the trip, enjoy!', {
    filenames: ['IMG_0001.jpg', 'beach day.png'],
    hasAttachments: true,
    labels: ['travel', 'family'],
    seen: true,
    size: 9_000_000,
  }),
  mail(8, ME, 'Meeting notes', 'Notes from the meeting: action items for Bob and Carol.', {
    to: [BOB],
    cc: [CAROL],
    bcc: [EVE],
    folder: 'sent',
    seen: true,
    size: 2_500,
  }),
  mail(9, SPAMMER, 'Cheap watches', 'Buy cheap watches now!!!', { folder: 'spam', size: 1_200 }),
  mail(10, NEWS, 'Weekly newsletter', 'This week: a report on quarterly market trends and more.', {
    seen: true,
    size: 120_000,
  }),
  mail(11, ME, 'Proposal draft', 'Here is the first draft of the proposal.', {
    to: [FRANK],
    folder: 'drafts',
    seen: true,
    size: 1_000,
  }),
  mail(12, EMILE, 'Café meeting', 'Meet at the café at noon.', { size: 1_100 }),
  mail(13, BOB, '', 'No subject here, just reports.', { size: 900 }),
  mail(14, CAROL, 'Status', 'report report report, status unchanged', { seen: true, size: 1_300 }),
  mail(15, BANK, 'Security alert', 'A new sign-in to your account was detected.', {
    flagged: true,
    labels: ['urgent'],
    size: 2_200,
  }),
  mail(16, FRANK, 'Project Apollo kickoff', 'Kickoff for Apollo is on Tuesday.', {
    labels: ['Work'],
    size: 3_300,
  }),
  mail(17, FRANK, 'Re: Project Apollo kickoff', 'Apollonian calm before the storm.', {
    cc: [BOB],
    labels: ['work'],
    seen: true,
    answered: true,
    size: 3_400,
  }),
  mail(18, CAROL, 'Apple pie recipe', 'The apple pie needs six apples.', {
    labels: ['family'],
    seen: true,
    size: 5_000,
  }),
  mail(19, ME, 'Re: Apple pie recipe', 'Thanks, the pie was great.', {
    to: [CAROL],
    folder: 'sent',
    seen: true,
    answered: true,
    size: 1_400,
  }),
  mail(20, FRANK, 'Mail export', 'The export is in the attached file.', {
    filenames: ['e-mail.txt'],
    hasAttachments: true,
    size: 15_000,
  }),
  mail(
    21,
    BANK,
    'Password reset',
    'Click to reset your password. If it was not you, ignore this.',
    { folder: 'spam', size: 1_600 },
  ),
  mail(22, DAVE, 'Train tickets', 'Your train tickets to Kyoto are attached.', {
    filenames: ['tickets.pdf'],
    hasAttachments: true,
    labels: ['travel'],
    size: 40_000,
  }),
  mail(23, BOB, 'Birthday party', 'Party at my place on Saturday. Bring snacks.', {
    seen: true,
    size: 1_700,
  }),
  mail(24, ME, 'Happy birthday Carol', 'Happy birthday! Hope the party is fun.', {
    to: [CAROL],
    cc: [BOB],
    folder: 'sent',
    seen: true,
    size: 1_800,
  }),
  mail(25, TAX, 'Quarterly taxes due', 'Quarterly estimated taxes are due on the 15th.', {
    labels: ['receipts', 'urgent'],
    flagged: true,
    size: 6_000,
  }),
  mail(26, DAVE, 'Flight confirmation', 'Flight 123 to Tokyo confirmed. Seat 14A.', {
    labels: ['travel'],
    seen: true,
    size: 7_000,
  }),
  mail(27, DAVE, 'Hotel booking', 'Hotel in Kyoto booked for three nights.', {
    filenames: ['booking.pdf'],
    hasAttachments: true,
    labels: ['travel'],
    size: 30_000,
  }),
  mail(28, GYM, 'Membership renewal', 'Your membership renews next month.', {
    folder: 'archive',
    seen: true,
    size: 1_000,
  }),
  mail(29, CAROL, 'Report card', 'The school report card arrived.', {
    labels: ['family'],
    size: 2_000,
  }),
  mail(30, EVE, 'Secret', 'sale of the century', { size: 500 }),
]

/** `ids(1, 2)` → ['m01', 'm02']. */
export const ids = (...numbers: number[]): string[] =>
  numbers.map((n) => `m${String(n).padStart(2, '0')}`).sort()

const INBOX = [1, 2, 4, 6, 7, 10, 12, 13, 14, 15, 16, 17, 18, 20, 22, 23, 25, 26, 27, 29, 30]
const UNREAD = [1, 4, 6, 9, 12, 13, 15, 16, 20, 21, 22, 25, 27, 29, 30]
const ALL = Array.from({ length: 30 }, (_, i) => i + 1)

/**
 * Submitted queries (no implicit prefix) over {@link CORPUS}, and the ids each must find, worked
 * out by hand from the corpus above.
 */
// prettier-ignore
export const QUERY_TABLE: readonly (readonly [string, string[]])[] = [
  // Terms in `any`, exact and prefix.
  ['report', ids(1, 2, 10, 14, 29)],
  ['reports', ids(13)],
  ['report*', ids(1, 2, 10, 13, 14, 29)],
  ['numbers', ids(1)],
  ['q3', ids(1)],
  ['2291', ids(4, 5)],
  ['14a', ids(26)],
  ['cafe', ids(12)],
  ['emile', ids(12)],
  ['security', ids(15, 21)],
  ['secret', ids(8, 30)],
  ['travel', ids(6, 7, 22, 26, 27)],
  ['京都', ids(6)],
  ['sign-in', ids(15)],
  ['apollo', ids(16, 17)],
  ['apollo*', ids(16, 17)],
  ['app*', ids(18, 19)],
  // AND and OR.
  ['quarterly report', ids(1, 2, 10)],
  ['birthday party', ids(23, 24)],
  ['status unchanged', ids(14)],
  ['tokyo', ids(6, 26)],
  ['tokyo OR kyoto', ids(6, 22, 26, 27)],
  ['from:carol OR from:dave', ids(3, 6, 7, 14, 18, 22, 26, 27, 29)],
  // Phrases, across stop words, split words, CJK, prefix.
  ['"quarterly report"', ids(1, 2)],
  ['"bill of sale"', ids(3)],
  ['"sale century"', ids(30)],
  ['"birthday party"', ids(23)],
  ['"ramen place"', ids(2)],
  ['"place ramen"', []],
  ['"img 0001"', ids(7)],
  ['e-mail.txt', ids(20)],
  ['東京都', ids(6)],
  ['"happy birth"*', ids(24)],
  ['"quarterly rep"*', ids(1, 2)],
  ['example.org', ids(...ALL)],
  ['jones.net', ids(3, 8, 14, 18, 19, 24, 29)],
  ['"carol jones"', ids(3, 8, 14, 18, 19, 24, 29)],
  // Fields.
  ['subject:report', ids(1, 29)],
  ['subject:apple', ids(18, 19)],
  ['subject:security', ids(15)],
  ['subject:"re apple"', ids(19)],
  ['from:bob', ids(1, 2, 13, 23)],
  ['from:example.org', ids(5, 8, 11, 19, 24)],
  ['from:alice.smith@example.org', ids(5, 8, 11, 19, 24)],
  ['from:"Alice Smith"', ids(5, 8, 11, 19, 24)],
  ['from:ali*', ids(5, 8, 11, 19, 24)],
  ['from:émile', ids(12)],
  ['from:jones.net', ids(3, 14, 18, 29)],
  ['from:gov.example', ids(25)],
  ['from:security', ids(15, 21)],
  ['to:bob', ids(6, 8, 17, 24)],
  ['to:carol', ids(8, 19, 24)],
  ['to:eve', ids(8)],
  ['cc:bob', ids(6, 17, 24)],
  ['bcc:eve', ids(8)],
  ['filename:pdf', ids(1, 3, 22, 27)],
  ['filename:beach', ids(7)],
  ['filename:"beach day"', ids(7)],
  ['filename:img*', ids(7)],
  // Negation.
  ['invoice', ids(4, 5)],
  ['invoice -paid', ids(4)],
  ['invoice* -in:sent', ids(4)],
  ['pie -subject:re', ids(18)],
  ['-from:example', ids(3, 12, 14, 18, 29)],
  ['(kyoto OR -travel) label:travel', ids(22, 27)],
  ['kyoto OR tokyo -flight', ids(6, 22, 27)],
  ['-report -invoice in:inbox', ids(6, 7, 12, 13, 15, 16, 17, 18, 20, 22, 23, 25, 26, 27, 30)],
  // Filters.
  ['label:travel', ids(6, 7, 22, 26, 27)],
  ['label:TRAVEL', ids(6, 7, 22, 26, 27)],
  ['label:work', ids(1, 16, 17)],
  ['label:family label:travel', ids(7)],
  ['label:receipts -label:urgent', ids(3, 4)],
  ['label:nosuchlabel', []],
  ['in:sent', ids(5, 8, 19, 24)],
  ['in:SENT', ids(5, 8, 19, 24)],
  ['in:inbox', ids(...INBOX)],
  ['in:nosuch', []],
  ['-in:inbox -in:sent', ids(3, 9, 11, 21, 28)],
  ['is:unread', ids(...UNREAD)],
  ['is:read', ids(...ALL.filter((n) => !UNREAD.includes(n)))],
  ['is:flagged', ids(4, 15, 25)],
  ['is:answered', ids(5, 17, 19)],
  ['has:attachment', ids(1, 3, 7, 20, 22, 27)],
  ['-has:attachment is:flagged', ids(4, 15, 25)],
  ['after:2026/01/28', ids(28, 29, 30)],
  ['before:2026/01/03', ids(1, 2)],
  ['after:2026/01/10 before:2026/01/12', ids(10, 11)],
  ['larger:1M', ids(7)],
  ['smaller:1000', ids(13, 30)],
  ['larger:50000 smaller:100K', ids(3)],
  // Combinations.
  ['(tokyo OR kyoto) has:attachment', ids(22, 27)],
  ['is:unread label:travel has:attachment', ids(22, 27)],
  ['cheap watches in:spam', ids(9)],
  ['cheap watches -in:spam', []],
  ['report is:unread -subject:report', []],
  ['report OR invoice is:read', ids(2, 5, 10, 14)],
  // Nothing to constrain: everything.
  ['', ids(...ALL)],
  ['the', ids(...ALL)],
]
