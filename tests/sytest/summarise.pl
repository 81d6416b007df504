#!/usr/bin/perl
# Summarises a SyTest run: passed of all tests per area as a Markdown table, then the failures
# not in the expected-failures list and the listed tests that passed, one "- " line each.
# A test skipped for a fixture that no SyTest test proves can never run against any server; the last
# column leaves those out of the total.
#   summarise.pl results.tap progress.log expected-failures.txt
use strict;
use warnings;

my ( $tap, $progress, $expected ) = @ARGV;

# progress.log names each test file before its tests; the TAP has only test numbers and names.
my ( %file_of, $file );
open my $ph, "<", $progress or die "$progress: $!\n";
while ( <$ph> ) {
   if ( m{^tests/(\S+)\.pl:$} ) { $file = $1 }
   elsif ( m{^    Test (\d+) } and defined $file ) { $file_of{$1} = $file }
}

# Required by some test, proved by none (SyTest 404d274c: grep for the name finds only the "requires").
my %unprovable = map { $_ => 1 } qw( can_invite_presence can_upload_media );

my %listed;
open my $eh, "<:encoding(UTF-8)", $expected or die "$expected: $!\n";
while ( <$eh> ) {
   chomp;
   s/#.*//;
   s/^\s+|\s+$//g;
   $listed{$_} = 1 if length;
}

my ( %count, @unlisted, @passing, $plan );
open my $th, "<:encoding(UTF-8)", $tap or die "$tap: $!\n";
while ( <$th> ) {
   $plan = $1 if m/^1\.\.(\d+)$/;
   my ( $ok, $num, $name ) = m/^(ok|not ok) (\d+) (?:\(expected fail\) )?(.*)$/ or next;
   my $skip = $name =~ s/ # skip (.*)$// ? $1 : undef;
   my $outcome = defined $skip ? "skipped" : $ok eq "ok" ? "passed" : "failed";
   $count{ ( split m{/}, $file_of{$num} // "?" )[0] }{unprovable}++ if defined $skip and $skip =~ /^lack of (\S+)$/ and $unprovable{$1};
   $name =~ s/ # TODO .*$//;
   $name =~ s/ \(\d+ subtests\)$//;
   my $area = ( split m{/}, $file_of{$num} // "?" )[0];
   $count{$area}{$outcome}++;
   push @unlisted, "$name ($area)" if $outcome eq "failed" and !$listed{$name};
   push @passing, "$name ($area)" if $outcome eq "passed" and $listed{$name};
}

print "| area | passed / total | % | failed | skipped | % of tests that can run |\n|---|---:|---:|---:|---:|---:|\n";
my %total;
sub percent { my ( $p, $t ) = @_; $t ? sprintf( "%.1f", 100 * $p / $t ) : "-" }
sub row {
   my ( $name, $p, $f, $s, $u ) = @_;
   my $t = $p + $f + $s;
   printf "| %s | %d / %d | %s | %d | %d | %s |\n", $name, $p, $t, percent( $p, $t ), $f, $s, percent( $p, $t - $u );
}
my @columns = qw( passed failed skipped unprovable );
for my $area ( sort keys %count ) {
   row( $area, map { $count{$area}{$_} // 0 } @columns );
   next if $area eq "50federation";
   $total{$_} += $count{$area}{$_} // 0 for @columns;
}
row( "**all but 50federation**", @total{@columns} );
print "\n", defined $plan ? "The run completed.\n" : "The run ended early (no TAP plan line; see progress.log).\n";
print "\nFailed but not in the expected-failures list:\n", map { "- $_\n" } @unlisted if @unlisted;
print "\nIn the expected-failures list but passed (remove them):\n", map { "- $_\n" } @passing if @passing;
