#!/usr/bin/env node
// Starts the telegram-test-api Bot API emulator (4.2.1) with the gaps that python-telegram-bot
// trips over filled in, for the end-to-end test.
//
//   node tests/e2e/emulator.js --port 9000
//
// Prints "ready <port>" on stdout once it listens; stops on SIGTERM or SIGINT.
//
// The gaps, and how each is bridged:
//   getMe             lacks is_bot (python-telegram-bot requires it): answered here in full.
//   sendMessage       returns the date in milliseconds: returned in seconds, as Telegram does.
//   callback queries  lack chat_instance, and the client's message lacks message_id and date:
//                     filled in when updates are handed to the bot.
//   getUpdates        answers at once even when there is nothing, so a poller spins: it waits
//                     for a user's message up to the poll's timeout, like the real long poll.
//   setMyCommands, setMyDescription, setMyShortDescription, getMyCommands, deleteMyCommands,
//   deleteMessages    are missing: they answer ok, and are recorded for POST /e2e/botCalls.
//   sendDocument      is missing: it answers with a document message.

'use strict';

const TelegramServer = require('telegram-test-api');
const { routes } = require('telegram-test-api/lib/routes/index');

const USER_EVENTS = ['AddedUserMessage', 'AddedUserCommand', 'AddedUserCallbackQuery'];
const LONG_POLL_LIMIT_MS = 10000;
const RECORDED = [
  'setMyCommands', 'setMyDescription', 'setMyShortDescription', 'getMyCommands',
  'deleteMyCommands', 'deleteMessages',
];

function argument(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 && process.argv[index + 1] ? process.argv[index + 1] : fallback;
}

function seconds(millis) {
  return Math.floor(Number(millis) / 1000);
}

function params(req) {
  return { ...req.query, ...req.body };
}

// Resolves when a user sends something, or after waitMs; never leaves a listener behind.
function userActivity(server, waitMs) {
  return new Promise((resolve) => {
    let timer = null;
    const done = () => {
      clearTimeout(timer);
      USER_EVENTS.forEach((event) => server.off(event, done));
      resolve();
    };
    timer = setTimeout(done, waitMs);
    USER_EVENTS.forEach((event) => server.on(event, done));
  });
}

const botCalls = [];

const bridges = [
  (app) => {
    app.all('/bot:token/getMe', (_req, res) => {
      res.json({
        ok: true,
        result: {
          id: 666,
          is_bot: true,
          first_name: 'School assistant',
          username: 'TestNameBot',
          can_join_groups: false,
          can_read_all_group_messages: false,
          supports_inline_queries: false,
        },
      });
    });
  },
  (app, server) => {
    app.all('/bot:token/sendMessage', (req, res) => {
      const message = server.addBotMessage(req.body, req.params.token);
      res.json({ ok: true, result: { ...message, date: seconds(message.date) } });
    });
  },
  (app, server) => {
    app.all('/bot:token/getUpdates', async (req, res) => {
      const { token } = req.params;
      const waitMs = Math.min(Number(params(req).timeout || 0) * 1000, LONG_POLL_LIMIT_MS);
      let result = server.getUpdates(token);
      if (result.length === 0 && waitMs > 0) {
        await userActivity(server, waitMs);
        result = server.getUpdates(token);
      }
      res.json({ ok: true, result });
    });
  },
  (app) => {
    app.all('/bot:token/sendDocument', (req, res) => {
      const chatId = Number(params(req).chat_id || 0);
      res.json({
        ok: true,
        result: {
          message_id: Date.now() % 1000000,
          date: seconds(Date.now()),
          chat: { id: chatId, type: 'private', first_name: 'Bot' },
          document: { file_id: 'e2e-file', file_unique_id: 'e2e-file' },
        },
      });
    });
  },
  (app) => {
    RECORDED.forEach((method) => {
      app.all(`/bot:token/${method}`, (req, res) => {
        botCalls.push({ method, params: params(req) });
        res.json({ ok: true, result: method === 'getMyCommands' ? [] : true });
      });
    });
    app.post('/e2e/botCalls', (_req, res) => {
      res.json({ ok: true, result: botCalls });
    });
  },
];

const formatUpdate = TelegramServer.formatUpdate;
TelegramServer.formatUpdate = (update) => {
  const formatted = formatUpdate(update);
  const query = formatted.callback_query;
  if (query) {
    query.chat_instance = query.chat_instance || `e2e-${query.from && query.from.id}`;
    if (query.message) {
      query.message = {
        message_id: 1,
        date: seconds(update.time),
        ...query.message,
      };
    }
  }
  return formatted;
};

// The emulator registers its routes in this order when it is built; ours go first.
routes.unshift(...bridges);

async function main() {
  const port = Number(argument('port', '9000'));
  const server = new TelegramServer({ port, host: '127.0.0.1', storeTimeout: 600 });
  await server.start();
  process.stdout.write(`ready ${port}\n`);
  const stop = async () => {
    await server.stop();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error) => {
  process.stderr.write(`emulator failed to start: ${error}\n`);
  process.exit(1);
});
