%% Erlang/OTP baseline of the Arbor benchmark (bench/src/erlang.ts runs it):
%%   erl -noshell +S 1 -pa <ebin> -run bench_erl main <Workload> <Size> <Warmup>
%% The same workloads as the Node implementations (bench/src/impl/*.ts), with plain processes
%% and messages (W5: OTP's own `supervisor`, one_for_one, one permanent child). Runs a warm-up
%% pass of <Warmup> units (none when 0), then the measured pass, prints one line
%% `@@RESULT <json>` (the Sample of types.ts) and halts.
-module(bench_erl).
-behaviour(supervisor).
-export([main/1, init/1, start_worker/1]).

main([W, SizeS, WarmupS]) ->
    %% supervisor reports are not part of the workload (the Node baselines log nothing either)
    logger:set_primary_config(level, none),
    Size = list_to_integer(SizeS),
    Warmup = list_to_integer(WarmupS),
    Result = try
                 Run = workload(list_to_atom(W)),
                 case Warmup > 0 of
                     true -> _ = Run(Warmup, warmup);
                     false -> ok
                 end,
                 {sample, Run(Size, final)}
             catch
                 throw:not_applicable -> not_applicable;
                 Class:Reason:Stack -> {error, io_lib:format("~p:~p ~p", [Class, Reason, Stack])}
             end,
    io:put_chars([<<"@@RESULT ">>, json(Result), $\n]),
    erlang:halt(0).

workload('W1') -> fun w1/2;
workload('W2') -> fun w2/2;
workload('W3') -> fun w3/2;
workload('W4') -> fun w4/2;
workload('W5') -> fun w5/2;
workload('W5c') -> fun w5/2;
workload('W6') -> fun w6/2;
workload(_) -> throw(not_applicable).

now_ms() -> erlang:monotonic_time(nanosecond) / 1.0e6.

%% ---------------------------------------------------------------- the counter actor

counter(N) ->
    receive
        inc -> counter(N + 1);
        {get, From, Ref} -> From ! {Ref, N}, counter(N);
        {next, From, Ref} -> From ! {Ref, N + 1}, counter(N + 1);
        crash -> exit(boom)
    end.

ask(Pid, Tag) ->
    Ref = make_ref(),
    Pid ! {Tag, self(), Ref},
    receive {Ref, N} -> N after 5000 -> exit(ask_timeout) end.

%% W1: 1e6 tells to one actor, then one ask for the count
w1(Size, Pass) ->
    C = spawn(fun() -> counter(0) end),
    T0 = now_ms(),
    send_n(C, inc, Size),
    Count = ask(C, get),
    Ms = now_ms() - T0,
    teardown(Pass, [C]),
    #{count => Count, expected => Size, ms => Ms}.

send_n(_, _, 0) -> ok;
send_n(P, M, K) -> P ! M, send_n(P, M, K - 1).

%% W2: sequential asks (a reply with a 5 s timeout, as Arbor's default ask)
w2(Size, Pass) ->
    C = spawn(fun() -> counter(0) end),
    T0 = now_ms(),
    Last = ask_n(C, Size, 0),
    Ms = now_ms() - T0,
    teardown(Pass, [C]),
    #{count => Last, expected => Size, ms => Ms}.

ask_n(_, 0, Last) -> Last;
ask_n(C, K, _) -> ask_n(C, K - 1, ask(C, next)).

%% W3: fan-out, actors x per messages sent round-robin, then one ask per actor
w3(Size, Pass) ->
    Actors = max(1, round(math:sqrt(Size))),
    Per = max(1, Size div Actors),
    Refs = [spawn(fun() -> counter(0) end) || _ <- lists:seq(1, Actors)],
    T0 = now_ms(),
    lists:foreach(fun(_) -> lists:foreach(fun(P) -> P ! inc end, Refs) end, lists:seq(1, Per)),
    Count = lists:sum([ask(P, get) || P <- Refs]),
    Ms = now_ms() - T0,
    teardown(Pass, Refs),
    #{count => Count, expected => Actors * Per, ms => Ms}.

%% W4: spawn idle actors; time and process memory per actor
idle() -> receive noop -> idle() end.

w4(Size, Pass) ->
    garbage_collect(),
    M0 = erlang:memory(processes),
    T0 = now_ms(),
    Pids = spawn_n(Size, []),
    Ms = now_ms() - T0,
    garbage_collect(),
    M1 = erlang:memory(processes),
    Alive = length([P || P <- Pids, is_process_alive(P)]),
    teardown(Pass, Pids),
    #{count => Alive, expected => Size, ms => Ms, heapPerActor => (M1 - M0) / Size}.

spawn_n(0, Acc) -> Acc;
spawn_n(K, Acc) -> spawn_n(K - 1, [spawn(fun idle/0) | Acc]).

%% W5: crash -> restart -> next message under an OTP supervisor (one_for_one, one permanent
%% child, intensity 1e6 per second); the restarted child tells the driver it started (as
%% Arbor's onEvent does), and answers 1 to `next` (its state was reset).
init(Driver) ->
    {ok, {#{strategy => one_for_one, intensity => 1000000, period => 1},
          [#{id => w, start => {?MODULE, start_worker, [Driver]}, restart => permanent}]}}.

start_worker(Driver) ->
    Pid = spawn_link(fun() -> counter(0) end),
    Driver ! {started, Pid},
    {ok, Pid}.

w5(Size, Pass) ->
    process_flag(trap_exit, true),
    {ok, Sup} = supervisor:start_link(?MODULE, self()),
    First = receive {started, P} -> P after 5000 -> exit(no_child) end,
    T0 = now_ms(),
    {Count, Cycles} = cycles(Size, First, 0, []),
    Ms = now_ms() - T0,
    case Pass of
        warmup -> unlink(Sup), exit(Sup, shutdown);
        final -> ok
    end,
    maps:merge(#{count => Count, expected => Size, ms => Ms}, flatness(lists:reverse(Cycles))).

cycles(0, _, Count, Acc) -> {Count, Acc};
cycles(K, Child, Count, Acc) ->
    C0 = now_ms(),
    Child ! crash,
    Next = receive {started, P} -> P after 5000 -> exit(no_restart) end,
    Ok = case ask(Next, next) of 1 -> 1; _ -> 0 end,
    cycles(K - 1, Next, Count + Ok, [(now_ms() - C0) * 1000 | Acc]).

%% first / middle / last window means, as flatness() in types.ts
flatness(Us) ->
    T = list_to_tuple(Us),
    N = tuple_size(T),
    W = max(1, N div 10),
    MidStart = max(0, N div 2 - W),
    Mean = fun(From) -> lists:sum([element(From + I, T) || I <- lists:seq(1, W)]) / W end,
    #{firstUs => Mean(0), midUs => Mean(MidStart), lastUs => Mean(N - W)}.

%% W6: ping-pong, two actors pass a counter back and forth
player(Peer, Handled, Driver) ->
    receive
        {peer, P} -> player(P, Handled, Driver);
        {ball, 0} -> Driver ! {done, Handled + 1}, player(Peer, Handled + 1, Driver);
        {ball, N} -> Peer ! {ball, N - 1}, player(Peer, Handled + 1, Driver);
        {get, From, Ref} -> From ! {Ref, Handled}, player(Peer, Handled, Driver)
    end.

w6(Size, Pass) ->
    Self = self(),
    A = spawn(fun() -> player(undefined, 0, Self) end),
    B = spawn(fun() -> player(undefined, 0, Self) end),
    A ! {peer, B},
    B ! {peer, A},
    T0 = now_ms(),
    A ! {ball, Size},
    receive {done, _} -> ok after 60000 -> exit(no_done) end,
    Ms = now_ms() - T0,
    Handled = ask(A, get) + ask(B, get),
    teardown(Pass, [A, B]),
    #{count => Handled - 1, expected => Size, ms => Ms}.

teardown(warmup, Pids) -> [exit(P, kill) || P <- Pids], ok;
teardown(final, _) -> ok.

%% ---------------------------------------------------------------- JSON out

json({sample, M}) -> [<<"{\"sample\":">>, json_map(M), $}];
json(not_applicable) -> <<"{\"notApplicable\":true}">>;
json({error, Text}) -> [<<"{\"error\":">>, json_string(lists:flatten(Text)), $}].

json_map(M) ->
    Fields = [[$", atom_to_list(K), $", $:, json_number(V)] || {K, V} <- lists:sort(maps:to_list(M))],
    [${, lists:join($,, Fields), $}].

json_number(V) when is_integer(V) -> integer_to_list(V);
json_number(V) when is_float(V) -> float_to_list(V, [{decimals, 6}, compact]).

json_string(S) ->
    Escaped = lists:flatmap(fun($") -> "\\\""; ($\\) -> "\\\\"; ($\n) -> "\\n"; (C) when C < 32 -> " "; (C) -> [C] end, S),
    [$", unicode:characters_to_binary(Escaped), $"].
